/* Search pickers: a text box that asks the server for suggestions as you type (a customer's name,
 * code or SIREN; a product's reference or name) and a hidden input that keeps the chosen id.
 * No dependency, no build step. Choosing dispatches a "picker:chosen" event carrying the
 * suggestion, so the editor can fill in what comes with it. Works for rows added later too. */
(function () {
  "use strict";
  const timers = new WeakMap();

  function parts(search) {
    const picker = search.closest("[data-picker]");
    return {
      picker: picker,
      value: picker.querySelector("[data-picker-value]"),
      list: picker.querySelector(".picker-list"),
    };
  }

  function close(search) {
    const p = parts(search);
    p.list.hidden = true;
    p.list.replaceChildren();
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
  }

  function choose(search, item) {
    const p = parts(search);
    p.value.value = item.id;
    search.value = item.label;
    search.dataset.chosenLabel = item.label;
    close(search);
    p.picker.dispatchEvent(new CustomEvent("picker:chosen", {bubbles: true, detail: item}));
  }

  function show(search, results) {
    const p = parts(search);
    p.list.replaceChildren();
    results.forEach(function (item, index) {
      const li = document.createElement("li");
      li.id = search.id + "-option-" + index;
      li.setAttribute("role", "option");
      li.className = "picker-option";
      const label = document.createElement("span");
      label.textContent = item.label;
      li.appendChild(label);
      if (item.detail) {
        const detail = document.createElement("small");
        detail.textContent = item.detail;
        li.appendChild(detail);
      }
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();  // keep the focus in the box
        choose(search, item);
      });
      li._item = item;
      p.list.appendChild(li);
    });
    if (!results.length) {
      const li = document.createElement("li");
      li.className = "picker-empty";
      li.textContent = p.picker.dataset.empty || "—";
      p.list.appendChild(li);
    }
    p.list.hidden = false;
    search.setAttribute("aria-expanded", "true");
  }

  function ask(search) {
    const p = parts(search);
    const url = p.picker.dataset.source + "?q=" + encodeURIComponent(search.value.trim());
    const mine = (search._sequence = (search._sequence || 0) + 1);
    fetch(url, {headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (mine === search._sequence && document.activeElement === search) show(search, data.results);
      })
      .catch(function () { /* the next keystroke retries */ });
  }

  function move(search, step) {
    const options = Array.from(parts(search).list.querySelectorAll("[role=option]"));
    if (!options.length) return;
    let index = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    options.forEach(function (o) { o.setAttribute("aria-selected", "false"); });
    index = (index + step + options.length) % options.length;
    options[index].setAttribute("aria-selected", "true");
    // scroll the list alone: scrollIntoView would also scroll the table and the page around it
    const list = parts(search).list;
    const option = options[index];
    if (option.offsetTop < list.scrollTop) list.scrollTop = option.offsetTop;
    else if (option.offsetTop + option.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = option.offsetTop + option.offsetHeight - list.clientHeight;
    }
    search.setAttribute("aria-activedescendant", options[index].id);
  }

  document.addEventListener("input", function (event) {
    const search = event.target;
    if (!search.matches || !search.matches("[data-picker-search]")) return;
    if (search.value !== search.dataset.chosenLabel) parts(search).value.value = "";  // typing un-chooses
    window.clearTimeout(timers.get(search));
    timers.set(search, window.setTimeout(function () { ask(search); }, 150));
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-picker-search]") && !event.target.value) {
      ask(event.target);
    }
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches("[data-picker-search]")) close(event.target);
  });
  document.addEventListener("keydown", function (event) {
    const search = event.target;
    if (!search.matches || !search.matches("[data-picker-search]")) return;
    const list = parts(search).list;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) ask(search); else move(search, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && !list.hidden) {
      const active = list.querySelector("[aria-selected=true]") || list.querySelector("[role=option]");
      if (active) { event.preventDefault(); choose(search, active._item); }
    } else if (event.key === "Escape") {
      close(search);
    }
  });
})();
