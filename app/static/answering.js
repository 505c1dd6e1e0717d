/* Lyssna survey pages, progressive enhancement only: every page works without this script.
   - shows and hides questions at once by evaluating their show_if (the server's operators),
   - keeps an exclusive choice ("none of these") apart from the others,
   - hides the "Other, please specify" box until Other is chosen,
   - adds move up / move down buttons to rankings (and says so in their instruction),
   - counts the characters left in a long text as the resident types,
   - focuses the error summary, and adds a copy button to the resume link. */
(function () {
  "use strict";

  function answered(v) {
    return !(v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0) ||
      (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0));
  }
  function same(a, b) { return String(a) === String(b); }
  function num(a, t) { return typeof t === "number" ? Number(a) : a; }

  function compare(c, answer) {
    var op = ["equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "answered"]
      .filter(function (k) { return k in c; })[0];
    var t = c[op];
    if (op === "answered") return answered(answer) === t;
    if (!answered(answer)) return false;
    if (op === "contains") return Array.isArray(answer) && answer.some(function (x) { return same(x, t); });
    if (Array.isArray(answer) || typeof answer === "object") return false;
    if (op === "in") return t.some(function (x) { return same(answer, x); });
    if (op === "not_in") return !t.some(function (x) { return same(answer, x); });
    if (op === "equals") return same(answer, t);
    if (op === "not_equals") return !same(answer, t);
    var a = num(answer, t);
    if (typeof t === "number" && isNaN(a)) return false;
    return op === "gt" ? a > t : op === "gte" ? a >= t : op === "lt" ? a < t : a <= t;
  }

  function evaluate(c, answers, hidden) {
    if (!c) return true;
    if (c.all) return c.all.every(function (x) { return evaluate(x, answers, hidden); });
    if (c.any) return c.any.some(function (x) { return evaluate(x, answers, hidden); });
    if (c.not) return !evaluate(c.not, answers, hidden);
    return "hidden" in c ? compare(c, hidden[c.hidden]) : compare(c, answers[c.question]);
  }

  function read(box) {
    var id = box.getAttribute("data-question"), type = box.getAttribute("data-type");
    var controls = box.querySelectorAll('[name="' + id + '"]');
    if (type === "multiple_choice") {
      return Array.prototype.filter.call(controls, function (e) { return e.checked; }).map(function (e) { return e.value; });
    }
    if (type === "matrix" || type === "ranking" || type === "note") return undefined;
    for (var i = 0; i < controls.length; i++) {
      var e = controls[i];
      if (e.type === "radio" && !e.checked) continue;
      var v = e.value.trim();
      if (type === "integer" || type === "decimal") v = v === "" ? "" : Number(v.replace(/\s/g, "").replace(",", "."));
      return v;
    }
    return undefined;
  }

  function conditions(form) {
    var context = JSON.parse(form.getAttribute("data-context") || "{}");
    var boxes = form.querySelectorAll("[data-question]");
    var shownField = form.querySelector('input[name="shown"]');
    function update() {
      var answers = Object.assign({}, context.answers || {}), shown = [];
      Array.prototype.forEach.call(boxes, function (box) {
        var cond = box.getAttribute("data-show-if");
        var visible = !cond || evaluate(JSON.parse(cond), answers, context.hidden || {});
        box.hidden = !visible;
        if (visible) {
          shown.push(box.getAttribute("data-question"));
          answers[box.getAttribute("data-question")] = read(box);
        }
      });
      if (shownField) shownField.value = shown.join(" ");
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function exclusive(form) {
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox" || !box.checked) return;
      var group = form.querySelectorAll('input[type=checkbox][name="' + box.name + '"]');
      Array.prototype.forEach.call(group, function (other) {
        if (other !== box && (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive"))) other.checked = false;
      });
    });
  }

  function otherText(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-other-for]"), function (box) {
      var name = box.getAttribute("data-other-for"), value = box.getAttribute("data-other-value");
      var input = box.querySelector("input");
      var controls = form.querySelectorAll('[name="' + name + '"]');
      function update() {
        var picked = Array.prototype.some.call(controls, function (c) {
          return c.tagName === "SELECT" ? c.value === value : c.checked && c.value === value;
        });
        box.hidden = !picked;
        input.disabled = !picked;  // hidden: neither focusable nor sent
        input.required = picked;
      }
      form.addEventListener("change", update);
      update();
    });
  }

  function ranking(list) {
    var how = list.parentNode.querySelector("[data-with-buttons]");
    if (how) how.textContent = how.getAttribute("data-with-buttons");
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    list.parentNode.appendChild(status);
    function renumber() {
      var items = list.querySelectorAll(".rank-item");
      Array.prototype.forEach.call(items, function (item, i) {
        item.querySelector("select").value = String(i + 1);
        item.querySelector("[data-move='-1']").disabled = i === 0;
        item.querySelector("[data-move='1']").disabled = i === items.length - 1;
      });
    }
    Array.prototype.forEach.call(list.querySelectorAll(".rank-item"), function (item) {
      var label = item.querySelector("label").textContent;
      var buttons = document.createElement("span");
      buttons.className = "rank-buttons";
      item.insertBefore(buttons, item.querySelector("label").nextSibling);
      [["-1", "↑", "data-up"], ["1", "↓", "data-down"]].forEach(function (spec) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "rank-move";
        b.textContent = spec[1];
        b.setAttribute("data-move", spec[0]);
        b.setAttribute("aria-label", list.getAttribute(spec[2]) + ": " + label);
        b.addEventListener("click", function () {
          var sibling = spec[0] === "-1" ? item.previousElementSibling : item.nextElementSibling;
          if (!sibling) return;
          list.insertBefore(item, spec[0] === "-1" ? sibling : sibling.nextElementSibling);
          renumber();
          b.disabled ? item.querySelector("select").focus() : b.focus();
          status.textContent = list.getAttribute("data-moved").replace("%(item)s", label)
            .replace("%(n)s", item.querySelector("select").value);
        });
        buttons.appendChild(b);
      });
    });
    var items = list.querySelectorAll(".rank-item");
    items[0].querySelector("[data-move='-1']").disabled = true;
    items[items.length - 1].querySelector("[data-move='1']").disabled = true;
  }

  // Under a long text: the characters left, at once on screen; a screen reader hears the count once
  // the typing pauses (the box's hint already says the limit), not at every key.
  function counter(hint) {
    var box = hint.parentNode.querySelector("textarea[maxlength]");
    if (!box) return;
    var limit = Number(box.getAttribute("maxlength")), timer = null;
    var shown = document.createElement("p");
    shown.className = "counter";
    shown.setAttribute("aria-hidden", "true");
    shown.setAttribute("data-counter-for", box.name);
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    spoken.setAttribute("data-counter-spoken-for", box.name);
    box.insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", spoken);
    function words() {
      var left = limit - box.value.length;
      return hint.getAttribute(left < 0 ? "data-over" : "data-counter").replace("%(num)s", String(Math.abs(left)));
    }
    function update() {
      shown.textContent = words();
      shown.classList.toggle("over", box.value.length > limit);
      clearTimeout(timer);
      timer = setTimeout(function () { spoken.textContent = words(); }, 1000);
    }
    box.addEventListener("input", update);
    shown.textContent = words();
  }

  function copyButton(input) {
    if (!navigator.clipboard) return;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button secondary";
    b.textContent = input.getAttribute("data-copy");
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () { b.textContent = input.getAttribute("data-copied"); });
    });
    input.insertAdjacentElement("afterend", b);
  }

  var form = document.querySelector("form.page-form");
  if (form) {
    conditions(form);
    exclusive(form);
    otherText(form);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-ranking]"), ranking);
  Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), counter);
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), copyButton);
  var summary = document.querySelector("[data-focus]");
  if (summary) summary.focus();
})();
