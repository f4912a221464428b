#!/usr/bin/env python3
"""Checks the DOM a browser rendered from report.html (scripts/check-report-html).

usage: report-html-dom.py DOM RESULTS_JSON CELL REPORT_NAME

Holds when the grid has exactly the cells of results.json, each with its state, and the
cell CELL is open with its first failing check open, showing that check's expected and
actual values. Exit 0 when it holds, 1 with the reasons when it does not.
"""
import json
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def squeezed(text):
    return " ".join(text.split())


def main():
    dom_path, results_path, cell_name, report = sys.argv[1:5]
    builder = TreeBuilder()
    builder.feed(open(dom_path, encoding="utf-8").read())
    nodes = list(builder.root.walk())
    results = json.load(open(results_path, encoding="utf-8"))
    problems = []

    # The grid: exactly the cells of results.json, each showing its state.
    wanted = {(c["client"], c["gateway"], c["state"]) for c in results["cells"]}
    grids = [n for n in nodes if n.tag == "table" and n.attrs.get("id") == "grid"]
    shown = set()
    for grid in grids[:1]:
        for td in (n for n in grid.walk() if n.tag == "td" and "data-client" in n.attrs):
            state = td.attrs.get("data-state")
            shown.add((td.attrs["data-client"], td.attrs.get("data-gateway"), state))
            if not squeezed(td.text()).startswith(state or "?"):
                problems.append(f"grid cell {td.attrs['data-client']}/{td.attrs.get('data-gateway')} shows {squeezed(td.text())!r}, not {state}")
    if len(grids) != 1:
        problems.append(f"{len(grids)} grids (table#grid), not 1")
    if shown != wanted:
        problems.append(f"grid: missing {sorted(wanted - shown)}, unexpected {sorted(shown - wanted)}")

    # The cell the address names: open, its first failing check open with expected and actual.
    cell = next((n for n in nodes if n.tag == "details" and n.attrs.get("id") == cell_name), None)
    result = next((c for c in results["cells"] if c["name"] == cell_name), None)
    if cell is None or result is None:
        problems.append(f"no details for {cell_name} in the page, or no such cell in {results_path}")
    else:
        if "open" not in cell.attrs:
            problems.append(f"{cell_name} is not open: the address #{cell_name} did not open it")
        failing = next((c for c in result["checks"] if c["status"] == "failed" and c.get("failure")), None)
        if failing is None:
            problems.append(f"{cell_name} has no failing check to show")
        else:
            check = next((n for n in cell.walk() if n.tag == "details" and n.attrs.get("data-check") == failing["name"]), None)
            if check is None or "open" not in check.attrs:
                problems.append(f"{failing['name']} is not an open details inside {cell_name}")
            else:
                text = squeezed(check.text())
                for key in ("expected", "actual"):
                    value = failing["failure"].get(key)
                    if value is not None and squeezed(value) not in text:
                        problems.append(f"{failing['name']}: its {key} value {value[:60]!r}… is not shown")

    if problems:
        print(f"{report}: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"{report}: {len(shown)} grid cells with their states; {cell_name} open at its first failing check")
    return 0


if __name__ == "__main__":
    sys.exit(main())
