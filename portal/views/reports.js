// Operators: the support lead's figures for a period (GET /reports): the period's totals, two
// charts (tickets opened and closed per day; the backlog at the end of each day) drawn as plain
// SVG through dom.js svg() (text nodes only), the same figures as a table (what the charts show,
// for screen readers and for reading exact values), and a CSV download built here from the JSON.
import { h, replace, svg } from '../dom.js';
import { t, has, getLang } from '../i18n/index.js';
import { request } from '../api.js';
import { field, errorBox, departmentNames, select } from './common.js';

const LOCALES = { es: 'es-ES', en: 'en-GB' };
const number = (n) => new Intl.NumberFormat(LOCALES[getLang()]).format(n);
const percent = (rate) => (rate === null || rate === undefined ? '—'
  : new Intl.NumberFormat(LOCALES[getLang()], { style: 'percent', maximumFractionDigits: 1 }).format(rate));

/** Seconds as "2 h 05 min" / "35 min" / "40 s"; a dash when there is no value. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return t('reports.seconds', { n: seconds });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('reports.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  return t('reports.hours', { h: number(hours), m: String(minutes % 60).padStart(2, '0') });
}

// The CSV's columns: header and how each day's (or the total's) value is read. The channels and
// closing reasons are the ones the API lists (new ones appear without a change here).
function columns(report) {
  const channels = Object.keys(report.total.opened.by);
  const reasons = Object.keys(report.total.closed.by);
  const times = ['first_response', 'resolution'].flatMap((m) => ['business', 'calendar'].flatMap((kind) => [
    [`${m}_median_${kind}_s`, (d) => d[m][kind].median_seconds],
    [`${m}_p90_${kind}_s`, (d) => d[m][kind].p90_seconds],
  ]));
  return [
    ['date', (d) => d.date],
    ['opened', (d) => d.opened.total],
    ...channels.map((c) => [`opened_${c}`, (d) => d.opened.by[c] ?? 0]),
    ['closed', (d) => d.closed.total],
    ...reasons.map((r) => [`closed_${r}`, (d) => d.closed.by[r] ?? 0]),
    ['reopened', (d) => d.reopened],
    ...times,
    ...Object.keys(report.total.sla).flatMap((target) => [
      [`sla_${target}_met`, (d) => d.sla[target].met],
      [`sla_${target}_missed`, (d) => d.sla[target].missed],
    ]),
    ['satisfaction_good', (d) => d.satisfaction.good],
    ['satisfaction_bad', (d) => d.satisfaction.bad],
    ['backlog', (d) => d.backlog],
  ];
}

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is defused. */
function cell(value) {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value !== 'number') text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV: one row per day, then the period's total. */
export function reportCsv(report) {
  const cols = columns(report);
  const rows = [cols.map(([name]) => name)];
  for (const day of report.days) rows.push(cols.map(([, read]) => read(day)));
  rows.push(cols.map(([name, read]) => (name === 'date' ? `${report.start}/${report.end}` : read(report.total))));
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/**
 * A bar chart of one or two series per day, as SVG: bars, a baseline, the largest value on the
 * axis and a few day labels. `series` is [{ label, className, values }].
 */
function barChart(title, days, series) {
  const width = 720;
  const height = 220;
  const pad = { left: 44, right: 8, top: 12, bottom: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, (slot * 0.8) / series.length);
  const y = (v) => pad.top + plotH - (v / max) * plotH;
  const bars = days.flatMap((day, i) => series.map((s, k) => svg('rect', {
    class: s.className,
    x: (pad.left + i * slot + slot * 0.1 + k * barW).toFixed(1),
    y: y(s.values[i]).toFixed(1),
    width: barW.toFixed(1),
    height: (pad.top + plotH - y(s.values[i])).toFixed(1),
  }, svg('title', {}, `${day}: ${s.label} ${number(s.values[i])}`))));
  const every = Math.max(1, Math.ceil(days.length / 8));
  const labels = days.map((day, i) => (i % every ? null : svg('text', {
    class: 'chart-label', x: (pad.left + i * slot + slot / 2).toFixed(1), y: height - pad.bottom + 16, 'text-anchor': 'middle',
  }, day.slice(5))));
  const describe = series.map((s) => `${s.label}: ${s.values.map(number).join(', ')}`).join('; ');
  return h('figure', { class: 'chart' },
    svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}. ${describe}`, preserveAspectRatio: 'xMidYMid meet' },
      svg('line', { class: 'chart-axis', x1: pad.left, y1: pad.top + plotH, x2: width - pad.right, y2: pad.top + plotH }),
      svg('text', { class: 'chart-label', x: pad.left - 6, y: pad.top + 4, 'text-anchor': 'end' }, number(max)),
      svg('text', { class: 'chart-label', x: pad.left - 6, y: pad.top + plotH, 'text-anchor': 'end' }, '0'),
      bars, labels),
    h('figcaption', {}, title, ' ',
      series.map((s) => h('span', { class: `legend ${s.className}` }, s.label))));
}

/** "web 3 · correo 1": each channel's (or reason's) count, named by the catalogue when it knows it. */
function shares(by, prefix) {
  return Object.entries(by).map(([name, n]) => `${has(`${prefix}.${name}`) ? t(`${prefix}.${name}`) : name} ${number(n)}`).join(' · ');
}

function totals(report) {
  const total = report.total;
  const rows = [
    [t('reports.opened'), number(total.opened.total), shares(total.opened.by, 'reports.channel')],
    [t('reports.closed'), number(total.closed.total), shares(total.closed.by, 'reports.reason')],
    [t('reports.reopened'), number(total.reopened), ''],
    [t('reports.firstResponse'), duration(total.first_response.business.median_seconds), t('reports.timesDetail', {
      p90: duration(total.first_response.business.p90_seconds),
      calendar: duration(total.first_response.calendar.median_seconds), n: number(total.first_response.count) })],
    [t('reports.resolution'), duration(total.resolution.business.median_seconds), t('reports.timesDetail', {
      p90: duration(total.resolution.business.p90_seconds),
      calendar: duration(total.resolution.calendar.median_seconds), n: number(total.resolution.count) })],
    ...['first_response', 'next_response'].map((target) => [t(`reports.sla.${target}`), percent(total.sla[target].rate),
      t('reports.metMissed', { met: number(total.sla[target].met), missed: number(total.sla[target].missed) })]),
    [t('reports.satisfaction'), percent(total.satisfaction.rate),
      t('reports.goodBad', { good: number(total.satisfaction.good), bad: number(total.satisfaction.bad) })],
    [t('reports.backlogEnd'), number(total.backlog), ''],
  ];
  return h('table', { class: 'report-totals' },
    h('caption', {}, t('reports.totalsCaption', { start: report.start, end: report.end })),
    h('tbody', {}, rows.map(([name, value, detail]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value), h('td', {}, detail)))));
}

function dayTable(report) {
  const heads = ['date', 'opened', 'closed', 'reopened', 'firstResponse', 'resolution', 'slaMissed', 'backlog'];
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('reports.daysCaption') },
    h('table', { class: 'report-days' },
      h('caption', {}, t('reports.daysCaption')),
      h('thead', {}, h('tr', {}, heads.map((key) => h('th', { scope: 'col' }, t(`reports.col.${key}`))))),
      h('tbody', {}, report.days.map((d) => h('tr', {},
        h('th', { scope: 'row' }, d.date),
        h('td', {}, number(d.opened.total)),
        h('td', {}, number(d.closed.total)),
        h('td', {}, number(d.reopened)),
        h('td', {}, duration(d.first_response.business.median_seconds)),
        h('td', {}, duration(d.resolution.business.median_seconds)),
        h('td', {}, number(d.sla.first_response.missed + d.sla.next_response.missed)),
        h('td', {}, number(d.backlog)))))));
}

export async function reportsView(root, ctx) {
  const { list: departments } = await departmentNames(request);
  let operators = [];
  try {
    operators = (await request('GET', '/operators')).data.items;
  } catch {
    operators = []; // the picker then offers only "everyone"
  }
  if (!ctx.isCurrent()) return;
  const query = Object.fromEntries(['from', 'to', 'department', 'operator'].map((k) => [k, ctx.query.get(k) || '']));
  const fromField = field(t('reports.from'), h('input', { type: 'date', value: query.from }));
  const toField = field(t('reports.to'), h('input', { type: 'date', value: query.to }), { hint: t('reports.periodHint') });
  const deptField = field(t('queue.department'), select([['', t('queue.allDepartments')], ...departments.map((d) => [d.id, d.name])], query.department));
  // Assignees are operator ids: chosen by name; an id the directory no longer lists stays as itself.
  const operatorOptions = [['', t('reports.everyone')], ...operators.map((o) => [o.id, o.name])];
  if (query.operator && !operators.some((o) => o.id === query.operator)) operatorOptions.push([query.operator, query.operator]);
  const operatorField = field(t('reports.operator'), select(operatorOptions, query.operator), { hint: t('reports.operatorHint') });
  const errors = errorBox();
  const fields = { from: fromField, to: toField, department: deptField, operator: operatorField };
  const filters = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [name, f] of Object.entries(fields)) if (f.control.value.trim()) params.set(name, f.control.value.trim());
    ctx.navigate(`#/reports?${params}`);
  } }, fromField.wrap, toField.wrap, deptField.wrap, operatorField.wrap, h('button', { type: 'submit' }, t('reports.show')));
  const body = h('div', { class: 'report' }, h('p', { class: 'loading' }, t('common.loading')));
  replace(root, h('h1', {}, t('reports.title')), filters, errors.el, body);

  let report;
  try {
    ({ data: report } = await request('GET', '/reports', { query }));
  } catch (error) {
    if (!ctx.isCurrent()) return;
    body.replaceChildren();
    errors.show(error, fields);
    return;
  }
  if (!ctx.isCurrent()) return;
  const dates = report.days.map((d) => d.date);
  const csv = URL.createObjectURL(new Blob([reportCsv(report)], { type: 'text/csv;charset=utf-8' }));
  replace(body,
    h('p', { class: 'hint' }, t('reports.period', { start: report.start, end: report.end, zone: report.time_zone })),
    totals(report),
    barChart(t('reports.chartFlow'), dates, [
      { label: t('reports.opened'), className: 'series-a', values: report.days.map((d) => d.opened.total) },
      { label: t('reports.closed'), className: 'series-b', values: report.days.map((d) => d.closed.total) },
    ]),
    barChart(t('reports.chartBacklog'), dates, [
      { label: t('reports.backlog'), className: 'series-c', values: report.days.map((d) => d.backlog) },
    ]),
    dayTable(report),
    h('p', {}, h('a', { href: csv, download: `informe-${report.start}-${report.end}.csv`, class: 'button secondary' }, t('reports.csv'))));
}
