import Foundation

extension Double {
    /// The number with exactly `decimals` digits after the point, rounded: `7.61`, `45.5`, `3`.
    public func fixed(_ decimals: Int) -> String {
        String(format: "%.\(decimals)f", self)
    }
}
