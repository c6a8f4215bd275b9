// llm-proxy admin: the few things the server-rendered pages need a script for. No inline scripts exist (the
// Content-Security-Policy forbids them), so every behaviour hangs off data attributes.
(function () {
  'use strict';

  // Timestamps: the server writes UTC; show them in the browser's zone and keep UTC in the title.
  function localiseTimes() {
    var formats = {
      datetime: { dateStyle: 'medium', timeStyle: 'medium' },
      date: { dateStyle: 'medium' },
      long: { dateStyle: 'long', timeStyle: 'short' },
    };
    // The original program's numeric formats, in the browser's zone: 2025-03-01 15:04[:05][ GMT+9].
    var numeric = {
      ymd_hm: function (instant) {
        return ymd(instant) + ' ' + clock(instant, false);
      },
      ymd_hms: function (instant) {
        return ymd(instant) + ' ' + clock(instant, true);
      },
      ymd_hms_tz: function (instant) {
        return (
          ymd(instant) +
          ' ' +
          clock(instant, true) +
          ' ' +
          part(instant, { timeZoneName: 'short' }, 'timeZoneName')
        );
      },
      date_only: ymd,
    };
    document.querySelectorAll('[data-local-time="true"]').forEach(function (element) {
      var instant = new Date(element.getAttribute('data-ts'));
      if (Number.isNaN(instant.getTime())) return;
      var format = element.getAttribute('data-format') || 'datetime';
      if (format === 'relative') {
        element.textContent = relative(instant);
      } else if (format in numeric) {
        element.textContent = numeric[format](instant);
      } else {
        element.textContent = new Intl.DateTimeFormat(undefined, formats[format] || formats.datetime).format(
          instant,
        );
      }
      element.setAttribute('title', instant.toISOString());
    });
  }

  function part(instant, options, type) {
    var found = new Intl.DateTimeFormat('en-US', options).formatToParts(instant).filter(function (piece) {
      return piece.type === type;
    })[0];
    return found ? found.value : '';
  }

  function ymd(instant) {
    var digits = { year: 'numeric', month: '2-digit', day: '2-digit' };
    return (
      part(instant, digits, 'year') +
      '-' +
      part(instant, digits, 'month') +
      '-' +
      part(instant, digits, 'day')
    );
  }

  function clock(instant, withSeconds) {
    var digits = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    var text = part(instant, digits, 'hour') + ':' + part(instant, digits, 'minute');
    return withSeconds ? text + ':' + part(instant, digits, 'second') : text;
  }

  function relative(instant) {
    var seconds = Math.round((instant.getTime() - Date.now()) / 1000);
    var units = [
      ['year', 31536000],
      ['month', 2592000],
      ['day', 86400],
      ['hour', 3600],
      ['minute', 60],
      ['second', 1],
    ];
    var format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1] || units[i][1] === 1) {
        return format.format(Math.round(seconds / units[i][1]), units[i][0]);
      }
    }
    return '';
  }

  // Confirmation dialogs: a form or button with data-confirm asks with the browser's own confirm().
  function confirmSubmissions() {
    document.addEventListener(
      'submit',
      function (event) {
        var form = event.target;
        var submitter = event.submitter;
        var text =
          (submitter && submitter.getAttribute('data-confirm')) ||
          (form && form.getAttribute('data-confirm'));
        if (text && !window.confirm(text)) event.preventDefault();
      },
      true,
    );
  }

  // Copy buttons: data-copy-target names the element whose text (or value) is copied.
  function copyButtons() {
    document.querySelectorAll('[data-copy-target]').forEach(function (button) {
      button.addEventListener('click', function () {
        var target = document.getElementById(button.getAttribute('data-copy-target'));
        if (!target) return;
        var text = 'value' in target && target.value !== undefined ? target.value : target.textContent;
        navigator.clipboard.writeText(text).then(function () {
          var label = button.textContent;
          button.textContent = 'Copied';
          setTimeout(function () {
            button.textContent = label;
          }, 1500);
        });
      });
    });
  }

  // Auto-submitting selects (filters, time ranges).
  function autoSubmit() {
    document.querySelectorAll('select[data-auto-submit]').forEach(function (select) {
      select.addEventListener('change', function () {
        if (select.form) select.form.requestSubmit();
      });
    });
  }

  // Charts: <canvas data-chart="id"> reads its series from <script type="application/json" id="id">.
  function charts() {
    if (typeof window.Chart === 'undefined') return;
    document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute('data-chart'));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var labels = spec.labels.map(function (iso) {
        var instant = new Date(iso);
        return new Intl.DateTimeFormat(
          undefined,
          spec.daily
            ? { dateStyle: 'short' }
            : {
                month: 'short',
                day: 'numeric',
                hour: '2-digit',
                minute: '2-digit',
              },
        ).format(instant);
      });
      new window.Chart(canvas, {
        type: spec.type || 'line',
        data: {
          labels: labels,
          datasets: spec.datasets.map(function (dataset) {
            return {
              label: dataset.label,
              data: dataset.data,
              tension: 0.2,
              fill: false,
              // A week of hours is 168 points: markers would only thicken the line.
              pointRadius: spec.labels.length > 48 ? 0 : 2,
            };
          }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
            y: { beginAtZero: true },
          },
        },
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    localiseTimes();
    confirmSubmissions();
    copyButtons();
    autoSubmit();
    charts();
  });
})();
