// RepairLab page behaviour, loaded on every Voilà page of the course.
//
// Widgets are drawn by JavaScript after the page loads, so their accessibility attributes are
// added here, as each one appears (a MutationObserver), rather than in the HTML Voilà sends:
// * every exercise's feedback area (.repairlab-feedback), and any other status line marked
//   .rl-live (a case's "reflection saved"), becomes a polite live region, so a
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

  // Text typed and not yet sent survives a reload or a closed tab.
  //
  // A reply box sends its text to the kernel when it loses focus (the kernel then keeps it as
  // a draft, views/base.py); a reload with the cursor still in the box sent nothing, and what
  // was typed was lost. So while the student types, the text is also kept in this browser
  // (localStorage, per page address, exercise heading and box); when the box sends it (its
  // "change" event) the browser's copy is dropped, since the kernel keeps it from then on.
  // When the page is drawn again and a box has an unsent copy, the copy is put back and sent,
  // as if the student had left the box. Only the rewrite and reflection boxes: a case restarts
  // from the top on a reload, so a turn's text has no box to go back to.
  var DRAFT_BOXES = ".repairlab-rewrite-reply textarea, .repairlab-reflection textarea";
  var DRAFT_PREFIX = "repairlab-unsent|";

  function draftKey(box) {
    var exercise = box.closest(".repairlab-exercise");
    var heading = exercise && exercise.querySelector("h1, h2, h3, h4");
    if (!heading) return null;
    var boxes = Array.prototype.slice.call(exercise.querySelectorAll("textarea"));
    return DRAFT_PREFIX + window.location.pathname + "|" + heading.textContent.trim() + "|" +
      boxes.indexOf(box);
  }

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }  // blocked: no copy
  }

  function restoreUnsentDraft(box) {
    if (box.rlDraftChecked) return;
    var key = draftKey(box);
    var store = storage();
    if (!key || !store) return;
    box.rlDraftChecked = true;
    var text = store.getItem(key);
    if (text === null) return;
    store.removeItem(key);
    if (text === box.value) return;
    box.value = text;  // a value, never markup
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.dispatchEvent(new Event("change", { bubbles: true }));  // the widget sends it
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(DRAFT_BOXES) || !event.isTrusted) return;
    var key = draftKey(box);
    var store = storage();
    if (!key || !store) return;
    try { store.setItem(key, box.value); } catch (error) { /* full: the kernel's draft only */ }
  }, true);

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(DRAFT_BOXES)) return;
    var key = draftKey(box);
    var store = storage();
    if (key && store) store.removeItem(key);
  }, true);

  function enhance(root) {
    if (root.nodeType !== 1) return;
    var each = function (selector, fn) {
      if (root.matches(selector)) fn(root);
      root.querySelectorAll(selector).forEach(fn);
    };
    each(".repairlab-feedback, .rl-live", liveRegion);
    each(".widget-radio", radioGroup);
    each(DRAFT_BOXES, restoreUnsentDraft);
    // Options redrawn inside an existing group (e.g. after a restore) need the name too.
    if (root.matches("input[type=radio], .widget-radio-box label")) {
      var widget = root.closest(".widget-radio");
      if (widget) radioGroup(widget);
    }
  }

  // Contents and skip links, made from the page's own section headings (## and ###, and the
  // landing page's modules), so no notebook lists its sections by hand and none goes stale:
  // * a "Contents" list under the page's title, linking to each section;
  // * at the top of each section, a link past it to the next one (or to the page's links at
  //   the foot), so a keyboard user never has to Tab through twenty exercises to get on.
  // Run again (debounced) as widgets draw more headings, e.g. the landing page's modules.
  var sectionsTimer = null;
  function scheduleSections() {
    if (sectionsTimer) clearTimeout(sectionsTimer);
    sectionsTimer = setTimeout(sections, 150);
  }

  function slug(text, n) {
    return "rl-section-" + n + "-" + text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40);
  }

  function sections() {
    sectionsTimer = null;
    var main = document.getElementById("rl-main");
    if (!main) return;
    var headings = Array.prototype.filter.call(
      main.querySelectorAll("h2, h3"),
      function (h) {
        return !h.closest(".repairlab-exercise, .rl-contents, .rl-reveal") &&
          h.textContent.trim();
      });
    var title = main.querySelector("h1");
    if (!title || headings.length < 2) return;
    var signature = headings.map(function (h) { return h.tagName + h.textContent.trim(); }).join("|");
    if (main.dataset.rlSections === signature) return;
    main.dataset.rlSections = signature;
    main.querySelectorAll(".rl-contents, .rl-skip").forEach(function (el) { el.remove(); });

    var foot = document.getElementById("rl-page-nav");
    var items = headings.map(function (h, n) {
      var text = h.textContent.replace(/¶/g, "").trim();
      if (!h.id) h.id = slug(text, n + 1);
      h.setAttribute("tabindex", "-1"); // a skip link moves focus here
      return { heading: h, text: text, level: h.tagName === "H3" ? 3 : 2 };
    });

    var nav = document.createElement("nav");
    nav.className = "rl-contents";
    nav.setAttribute("aria-label", "Contents of this page");
    var label = document.createElement("p");
    label.className = "rl-contents-title";
    label.textContent = "Contents";
    nav.appendChild(label);
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      if (item.level === 3) li.className = "rl-contents-sub";
      var a = document.createElement("a");
      a.href = "#" + item.heading.id;
      a.textContent = item.text;
      li.appendChild(a);
      list.appendChild(li);
    });
    nav.appendChild(list);
    var after = title.closest(".rl-home-header") ? title : title;
    after.insertAdjacentElement("afterend", nav);

    items.forEach(function (item, n) {
      // Past the whole section: a ## section's link skips its ### parts too.
      var next = null;
      for (var k = n + 1; k < items.length && !next; k++) {
        if (items[k].level <= item.level) next = items[k];
      }
      var skip = document.createElement("a");
      skip.className = "rl-skip";
      if (next) {
        skip.href = "#" + next.heading.id;
        skip.textContent = "Skip to the next section: " + next.text;
      } else if (foot) {
        skip.href = "#rl-page-nav";
        skip.textContent = "Skip to the links at the end of the page";
      } else {
        return;
      }
      item.heading.insertAdjacentElement("afterend", skip);
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".rl-skip, .rl-contents a");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
    target.scrollIntoView({ block: "start" });
  });

  // A course figure is drawn for a laptop: on a phone, shrunk to the screen's width, its
  // labels would be a few pixels tall. Each figure sits in a scrolling frame that keeps it
  // large enough to read (the stylesheet gives it a minimum width on narrow screens); the
  // frame can take keyboard focus, so it scrolls with the arrow keys too.
  function figures() {
    document.querySelectorAll("#rl-main .jp-RenderedMarkdown img").forEach(function (img) {
      if (img.closest(".rl-figure")) return;
      var frame = document.createElement("div");
      frame.className = "rl-figure";
      frame.setAttribute("role", "region");
      frame.setAttribute("tabindex", "0");
      frame.setAttribute("aria-label", "Figure (scrolls sideways on a narrow screen)");
      img.parentNode.insertBefore(frame, img);
      frame.appendChild(img);
    });
  }

  function start() {
    enhance(document.body);
    figures();
    scheduleSections();
    // ipywidgets adds a view's own classes (add_class) after inserting it: watch both.
    new MutationObserver(function (records) {
      var added = false;
      records.forEach(function (record) {
        if (record.type === "attributes") enhance(record.target);
        else {
          record.addedNodes.forEach(enhance);
          if (record.addedNodes.length) added = true;
        }
      });
      if (added) scheduleSections();
    }).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class"]
    });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }

  // On the static site, the page is shown as soon as its first exercise is drawn.
  //
  // Voici (the static site's renderer) runs every cell in the browser and shows the page only
  // once the last one has run: a 22-item practice page drew all 22 exercises before the
  // student saw the first. It announces each cell before running it
  // (update_loading_text(n, count)), so cells before n are done; from the first one that drew
  // something, the page is shown with those cells, and each later cell appears in its turn,
  // in the notebook's order, below what is already on screen (never above it, so nothing the
  // student reads moves). A status line at the end says more is coming. Voilà's server pages
  // are drawn before this script loads and never call it (their cells arrive already run).
  // The exercises' Python is the same in both modes; this is only when the page is shown.
  var PENDING = "rl-pending";
  var pendingNote = null;

  function renderedCells() {
    return Array.prototype.slice.call(document.querySelectorAll("#rendered_cells [cell-index]"));
  }

  function showCellsUpTo(done) {
    var rendered = document.getElementById("rendered_cells");
    if (!rendered || !rendered.querySelector("main")) return;
    if (!pendingNote) {
      // Nothing drawn yet among the finished cells: keep Voici's "Executing n of m".
      var drawn = Array.prototype.some.call(
        rendered.querySelectorAll("[cell-index] .jp-Cell-outputWrapper"),
        function (output) {
          return Number(output.closest("[cell-index]").getAttribute("cell-index")) <= done;
        });
      if (!drawn || rendered.style.display !== "none") return;
      pendingNote = document.createElement("p");
      pendingNote.className = "rl-pending-note";
      pendingNote.setAttribute("role", "status");
      pendingNote.textContent = "The rest of this page is loading…";
      rendered.querySelector("main").appendChild(pendingNote);
      var loading = document.getElementById("loading");
      if (loading) loading.remove();
      rendered.style.display = "";
    }
    renderedCells().forEach(function (cell) {
      cell.classList.toggle(PENDING, Number(cell.getAttribute("cell-index")) > done);
    });
  }

  function showAllCells() {
    if (!pendingNote) return;
    renderedCells().forEach(function (cell) { cell.classList.remove(PENDING); });
    // Said once to a screen reader waiting at the end of the page; not shown.
    pendingNote.classList.add("rl-visually-hidden");
    pendingNote.textContent = "The whole page has loaded.";
    // Voici then moves the cells into its page frame, at the same place on screen. Moving a
    // node takes the keyboard focus off whatever is in it: it is given back, with the
    // cursor where it was in a text box, and the page's scroll position.
    var focused = document.activeElement;
    var caret = focused && "selectionStart" in focused ?
      [focused.selectionStart, focused.selectionEnd] : null;
    var scroll = [window.scrollX, window.scrollY];
    setTimeout(function () {
      if (focused && focused !== document.body && document.activeElement !== focused &&
          document.contains(focused)) {
        focused.focus({ preventScroll: true });
        if (caret) {
          try { focused.setSelectionRange(caret[0], caret[1]); } catch (error) { /* no caret */ }
        }
      }
      if (window.scrollX !== scroll[0] || window.scrollY !== scroll[1]) {
        window.scrollTo(scroll[0], scroll[1]);
      }
    }, 0);
  }

  var announceCell = window.update_loading_text;
  if (typeof announceCell === "function") {
    window.update_loading_text = function (cellIndex, cellCount, text) {
      if (!pendingNote) announceCell.apply(this, arguments);
      if (typeof cellIndex === "number" && cellIndex > 0) showCellsUpTo(cellIndex - 1);
    };
  }
  var displayCells = window.display_cells;
  if (typeof displayCells === "function") {
    window.display_cells = function () {
      showAllCells();
      return displayCells.apply(this, arguments);
    };
  }

  // A click must never overtake the answer it checks.
  //
  // ipywidgets throttles each widget model's state sync: while one update of a model waits for
  // the kernel to go idle, later changes to it are buffered (WidgetModel.sync). A button
  // click is a custom message (WidgetModel.send), sent at once. On a busy kernel a student
  // who changes an answer and presses "Check answer" had the click reach the kernel before
  // the buffered answer, and was scored on the previous one. So, before any custom message
  // leaves the page, every buffered state update is sent first: the kernel then receives the
  // answer the student sees, then the click (one websocket keeps their order). This covers
  // every kind (radio buttons, drop-downs, text boxes) and every way of pressing a button
  // (mouse, Enter, Space), because it is done where the message is sent.
  function sendBufferedStateFirst(WidgetModel) {
    var proto = WidgetModel && WidgetModel.prototype;
    if (!proto || proto.rlSendsBufferedStateFirst ||
        typeof proto.sync !== "function" || typeof proto.send !== "function" ||
        typeof proto.send_sync_message !== "function") {
      return;
    }
    proto.rlSendsBufferedStateFirst = true;
    var buffered = new Set();  // models that may hold a buffered update
    var sync = proto.sync;
    proto.sync = function () {
      var result = sync.apply(this, arguments);
      if (this._msg_buffer) buffered.add(this);
      return result;
    };
    var send = proto.send;
    proto.send = function () {
      buffered.forEach(function (model) {
        buffered.delete(model);
        if (!model._msg_buffer || !model.comm) return;  // sent meanwhile, or closed
        // What the model does itself when the kernel goes idle (WidgetModel._handle_status).
        var id = model.send_sync_message(model._msg_buffer, model._msg_buffer_callbacks);
        if (typeof model.rememberLastUpdateFor === "function") model.rememberLastUpdateFor(id);
        model._msg_buffer = null;
        model._msg_buffer_callbacks = null;
      });
      return send.apply(this, arguments);
    };
  }

  // Voilà's app (window.jupyterapp, set once it has started) holds the widget manager, which
  // gives the WidgetModel class every widget model inherits from.
  function withApp(app) {
    app.widgetManagerPromise.promise.then(function (manager) {
      return manager && manager.loadModelClass("WidgetModel", "@jupyter-widgets/base", "2.0.0");
    }).then(sendBufferedStateFirst, function (error) {
      console.error("RepairLab: could not order widget messages", error);
    });
  }

  if (window.jupyterapp) {
    withApp(window.jupyterapp);
  } else {
    var app;
    Object.defineProperty(window, "jupyterapp", {
      configurable: true, enumerable: true,
      get: function () { return app; },
      set: function (value) {
        app = value;
        if (value && value.widgetManagerPromise) withApp(value);
      }
    });
  }
})();
