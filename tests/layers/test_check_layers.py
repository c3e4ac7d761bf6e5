"""The layer check must catch what the design forbids (run by `make test`)."""
import importlib.machinery, importlib.util, os, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
loader = importlib.machinery.SourceFileLoader("check_layers", os.path.join(HERE, "../../scripts/check-layers"))
spec = importlib.util.spec_from_loader("check_layers", loader)
cl = importlib.util.module_from_spec(spec)
loader.exec_module(cl)


def graph(*targets):
    return {"targets": [dict(name=n, type=k, path=f"Sources/{n}", sources=[], target_dependencies=d, product_dependencies=p)
                        for n, k, d, p in targets]}


def test_clean_graph_passes():
    g = graph(("MailCore", "library", [], []), ("DNSWire", "library", ["MailCore"], ["NIOCore"]),
              ("DNSClient", "library", ["DNSWire"], ["NIOPosix"]), ("mxray", "executable", ["DNSClient"], []))
    errors, checked = cl.check(g, "/nonexistent")
    assert errors == [] and checked == 5, (errors, checked)


def test_upward_dependency_fails():
    g = graph(("MailCore", "library", [], []), ("DNSWire", "library", ["MailCore", "DNSClient"], []),
              ("DNSClient", "library", ["DNSWire"], []))
    errors, _ = cl.check(g, "/nonexistent")
    assert any("DNSWire (layer 1) depends on DNSClient (layer 3)" in e for e in errors), errors


def test_pure_layer_with_sockets_fails():
    g = graph(("MailCore", "library", [], []), ("Diagnosis", "library", ["MailCore"], ["NIOPosix"]))
    errors, _ = cl.check(g, "/nonexistent")
    assert any("Diagnosis is pure" in e for e in errors), errors


def test_import_line_counts_even_without_declared_dependency():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "Sources/Diagnosis"))
        open(os.path.join(root, "Sources/Diagnosis/X.swift"), "w").write("import Foundation\nimport Probes\n")
        g = graph(("MailCore", "library", [], []), ("Probes", "library", ["MailCore"], []),
                  ("Diagnosis", "library", ["MailCore"], []))
        g["targets"][2]["sources"] = ["X.swift"]
        errors, _ = cl.check(g, root)
        assert any("Diagnosis may not import Probes" in e for e in errors), errors


def test_same_layer_fails():
    g = graph(("MailCore", "library", [], []), ("DNSWire", "library", ["MailWire"], []), ("MailWire", "library", ["MailCore"], []))
    errors, _ = cl.check(g, "/nonexistent")
    assert any("DNSWire (layer 1) depends on MailWire (layer 1)" in e for e in errors), errors


if __name__ == "__main__":
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    failed = 0
    for t in tests:
        try:
            t()
        except AssertionError as e:
            failed += 1
            print(f"FAIL {t.__name__}: {e}")
    print(f"layers: {len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
