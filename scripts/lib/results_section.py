"""Replaces the generated results section of a Markdown document: the text between a begin
marker and an end marker, both kept. Used by make bench and make chaos."""


def write_results(path, begin, end, text):
    with open(path) as file:
        document = file.read()
    head, _, rest = document.partition(begin)
    _, _, tail = rest.partition(end)
    with open(path, "w") as file:
        file.write(f"{head}{begin}\n{text}\n{end}{tail}")
