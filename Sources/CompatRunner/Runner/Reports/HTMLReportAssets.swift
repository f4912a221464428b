// The style sheet and script report.html carries inline: the report is one file that works
// offline, from a CI artifact or a mail attachment, and fetches nothing.

enum HTMLReportAssets {
    /// No `<` or `&` (the page is also read as XML) and no `url(` (nothing is fetched).
    static let style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
        code, pre { font: 12px/1.35 ui-monospace, monospace; }
        code { overflow-wrap: anywhere; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f5f5f7; padding: .4em .6em; margin: .2em 0; }
        pre.hex { white-space: pre; overflow-x: auto; }
        h4 { margin: .8em 0 .3em; }
        .state, .mark { display: inline-block; padding: 0 .4em; border-radius: 3px; font-weight: 600; color: #fff; }
        .s-pass { background: #2e7d32; } .s-incompatible { background: #00838f; } .s-fail { background: #c62828; }
        .s-crash { background: #6a0000; } .s-timeout { background: #8e24aa; } .s-known { background: #b26a00; } .s-partial { background: #8d6e00; }
        .s-not-run { background: #757575; }
        .m-passed { background: #2e7d32; } .m-failed { background: #c62828; } .m-stalepass { background: #e65100; }
        .m-knownfailure { background: #b26a00; } .m-notrun, .m-skipped { background: #757575; }
        table.grid { border-collapse: collapse; margin: 1em 0; }
        table.grid th, table.grid td { border: 1px solid #ccc; padding: .3em .6em; text-align: center; }
        table.grid td.cell a { color: #fff; font-weight: 600; text-decoration: none; display: block; }
        table.grid td.cell .counts { color: #fff; font-size: 11px; opacity: .9; }
        table.grid td.dimmed { opacity: .15; }
        details.cell { border: 1px solid #ddd; border-radius: 4px; margin: .4em 0; padding: .3em .6em; }
        details.cell[open] { border-color: #999; }
        details.cell:target { outline: 2px solid #1565c0; }
        details.check { margin: .4em 0 .4em 1em; border-left: 3px solid #ddd; padding-left: .6em; }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .15em .8em; margin: .3em 0; }
        dt { font-weight: 600; } dd { margin: 0; min-width: 0; }
        ul.names { columns: 3 22em; margin: .2em 0; padding-left: 1.2em; font: 12px/1.35 ui-monospace, monospace; }
        .reason, .note { color: #555; }
        .rule { display: inline-block; border: 1px solid #999; border-radius: 3px; padding: 0 .3em; font: 12px ui-monospace, monospace; }
        form.filters { margin: .6em 0; display: flex; flex-wrap: wrap; gap: .5em; align-items: center; }
        form.filters label.state { font-weight: 400; }
        table.findings { border-collapse: collapse; } table.findings td, table.findings th { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
        section.gate { margin: 1.5em 0; }
        footer { margin-top: 2em; color: #555; }
        """

    /// Filters by state and check name, and opens what the address names. Runs on
    /// DOMContentLoaded, so a headless browser dumping the page sees the named cell open.
    static let script = """
        (function () {
          'use strict';
          function openTarget() {
            var id;
            try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
            var target = id ? document.getElementById(id) : null;
            if (!target) { return; }
            for (var node = target; node; node = node.parentElement) {
              if (node.tagName === 'DETAILS') { node.open = true; }
            }
            target.scrollIntoView();
          }
          // A name filter: the text anywhere in the check name, each * standing for any text.
          function namePattern(text) {
            var parts = text.split('*').map(function (part) { return part.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&'); });
            return new RegExp(parts.join('.*'));
          }
          function applyFilters() {
            var shownStates = {};
            document.querySelectorAll('[data-filter-state]').forEach(function (box) { shownStates[box.dataset.filterState] = box.checked; });
            var text = (document.querySelector('[data-filter-check]') || {}).value || '';
            var pattern = text.trim() ? namePattern(text.trim()) : null;
            var shownCells = {};
            document.querySelectorAll('details.cell').forEach(function (cell) {
              var any = false;
              cell.querySelectorAll('[data-check]').forEach(function (check) {
                var match = !pattern || pattern.test(check.dataset.check);
                check.hidden = !match;
                any = any || match;
              });
              cell.querySelectorAll('.group').forEach(function (group) {
                group.hidden = pattern !== null && group.querySelector('[data-check]:not([hidden])') === null;
              });
              var shown = shownStates[cell.dataset.state] !== false && (!pattern || any);
              cell.hidden = !shown;
              shownCells[cell.dataset.cell] = shown;
            });
            document.querySelectorAll('td[data-cell]').forEach(function (td) {
              td.classList.toggle('dimmed', shownCells[td.dataset.cell] === false);
            });
          }
          document.addEventListener('DOMContentLoaded', function () {
            document.querySelectorAll('form.filters').forEach(function (form) {
              form.hidden = false;
              form.addEventListener('input', applyFilters);
              form.addEventListener('change', applyFilters);
            });
            openTarget();
            window.addEventListener('hashchange', openTarget);
          });
        })();
        """
}
