// Typeset the formulas that pymdownx.arithmatex (generic mode) leaves as \( ... \) and \[ ... \]
// in <span class="arithmatex"> and <div class="arithmatex">, with the KaTeX the site serves.
function typesetMath(root) {
  root.querySelectorAll(".arithmatex").forEach(function (element) {
    if (element.dataset.typeset) return;
    const text = element.textContent.trim();
    const display = text.startsWith("\\[");
    const tex = text.slice(2, -2);
    katex.render(tex, element, { displayMode: display, throwOnError: false });
    element.dataset.typeset = "yes";
  });
}

if (typeof document$ !== "undefined") {
  document$.subscribe(function () { typesetMath(document); });  // Material's page-load signal
} else {
  document.addEventListener("DOMContentLoaded", function () { typesetMath(document); });
}
