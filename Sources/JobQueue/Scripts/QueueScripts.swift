/// The Lua scripts that make every state change of a queue atomic. Each script's comment states
/// its keys, arguments, reply and guarantee; shared functions live in ``LuaLibrary``.
enum QueueScripts {}
