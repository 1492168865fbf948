"""Product benchmarks. Run each from the repository root as `python -m bench.NAME` (they import
`bench.report` and the test factories in `tests/`); `--markdown` writes docs/benchmarks/NAME.md."""
