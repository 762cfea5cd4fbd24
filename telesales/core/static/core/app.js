// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.requestSubmit();
  }
});

// One menu heading open at a time; a click elsewhere or Escape closes it.
const openMenuGroups = () => document.querySelectorAll("details.menu-group[open]");
document.addEventListener("click", (event) => {
  const inside = event.target instanceof Element ? event.target.closest("details.menu-group") : null;
  openMenuGroups().forEach((group) => {
    if (group !== inside) group.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") openMenuGroups().forEach((group) => group.removeAttribute("open"));
});
