// RepairLab page behaviour, loaded on every Voilà page of the course.
//
// Widgets are drawn by JavaScript after the page loads, so their accessibility attributes are
// added here, as each one appears (a MutationObserver), rather than in the HTML Voilà sends:
// * every exercise's feedback area (.repairlab-feedback) becomes a polite live region, so a
//   screen reader announces feedback without moving focus. It has to be one *before* the
//   feedback arrives, which is why this runs when the (empty) area first appears;
// * a group of radio buttons gets role="radiogroup" and the name of its visible label.
(function () {
  "use strict";

  function liveRegion(el) {
    if (!el.hasAttribute("aria-live")) {
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      el.setAttribute("aria-atomic", "true");
    }
  }

  // ipywidgets draws radio buttons without a shared name, so each is its own group: a
  // screen reader cannot say "2 of 4" and arrow keys do nothing. A name per group fixes both
  // (the browser then moves the selection with the arrow keys, as with any radio group).
  var groups = 0;
  function radioGroup(el) {
    var box = el.querySelector(".widget-radio-box");
    if (!box) return;
    if (!box.hasAttribute("role")) {
      var n = ++groups;
      box.setAttribute("role", "radiogroup");
      box.dataset.rlGroup = "rl-radio-" + n;
      var label = el.querySelector(".widget-label");
      if (label && label.textContent.trim()) {
        if (!label.id) label.id = "rl-radio-label-" + n;
        box.setAttribute("aria-labelledby", label.id);
      }
    }
    box.querySelectorAll("input[type=radio]").forEach(function (input) {
      if (!input.name) input.name = box.dataset.rlGroup;
    });
  }

  function enhance(root) {
    if (root.nodeType !== 1) return;
    var each = function (selector, fn) {
      if (root.matches(selector)) fn(root);
      root.querySelectorAll(selector).forEach(fn);
    };
    each(".repairlab-feedback", liveRegion);
    each(".widget-radio", radioGroup);
    // Options redrawn inside an existing group (e.g. after a restore) need the name too.
    if (root.matches("input[type=radio], .widget-radio-box label")) {
      var widget = root.closest(".widget-radio");
      if (widget) radioGroup(widget);
    }
  }

  function start() {
    enhance(document.body);
    // ipywidgets adds a view's own classes (add_class) after inserting it: watch both.
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        if (record.type === "attributes") enhance(record.target);
        else record.addedNodes.forEach(enhance);
      });
    }).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class"]
    });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
