// Render the math pymdownx.arithmatex marks (\( \) inline, \[ \] display) with the vendored
// KaTeX, on every page Material loads (instant navigation swaps pages without a reload).
function renderMath() {
  renderMathInElement(document.body, {
    delimiters: [{left: "\\(", right: "\\)", display: false},
                 {left: "\\[", right: "\\]", display: true}],
    throwOnError: false,
  });
}
if (typeof document$ !== "undefined") { document$.subscribe(renderMath); }
else { document.addEventListener("DOMContentLoaded", renderMath); }
