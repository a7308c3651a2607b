import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import { api } from './api.js';

export const html = htm.bind(h);

export const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '');
export const fmtDuration = (seconds) => {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
export const partyName = (party) => (party ? party.username || party.number || party.phoneNumber || '' : '');
export const percent = (value) => (Number.isFinite(value) ? `${Math.round(value * 100)}%` : '–');

// Loads data on mount and every `everyMs` (0: once); `reload` fetches again now.
export function usePoll(load, deps, everyMs = 0) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const tick = useRef(0);
  const reload = () => {
    const mine = ++tick.current;
    load().then(
      (data) => mine === tick.current && setState({ data, error: undefined }),
      (error) => mine === tick.current && setState((old) => ({ data: old.data, error })),
    );
  };
  useEffect(() => {
    reload();
    if (!everyMs) return undefined;
    const timer = setInterval(reload, everyMs);
    return () => clearInterval(timer);
  }, deps);
  return { ...state, reload };
}

export function ErrorLine({ error }) {
  return error ? html`<p class="error" role="alert">${error.code ? `${error.code}: ` : ''}${error.message}</p>` : null;
}

// What a chart's x axis spans (seconds): the span when given, else the data's times, a lone
// point with half an hour either side.
export function xRange(xs, span) {
  if (span) return span;
  const lo = xs[0];
  const hi = xs[xs.length - 1];
  return hi - lo < 600 ? [lo - 1800, hi + 1800] : [lo, hi];
}

// A time series chart (uPlot): x in seconds, one or more series; `span` ([from, to] in seconds)
// fixes the x axis to the range asked for, `yMax` the y axis to [0, yMax].
export function Chart({ title, data, series, label, span, yMax }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || !data || data[0].length === 0) return undefined;
    const width = Math.max(260, box.current.clientWidth || 300);
    const plot = new uPlot(
      {
        width,
        height: 180,
        series: [{}, ...series.map((s, i) => ({ label: s, stroke: ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'][i % 6], width: 2, spanGaps: true }))],
        axes: [{}, { label, size: 50 }],
        legend: { show: true },
        // The x range from the data itself (or the span asked for): uPlot widens a lone point
        // of a time scale in seconds by 86,400,000 s (its one day in ms), years on the axis.
        // A ratio (yMax 1) keeps its whole scale: a carrier at 0% reads as a drop, not as a flat line.
        scales: { x: { time: true, range: () => xRange(data[0], span) }, ...(yMax ? { y: { range: () => [0, yMax] } } : {}) },
      },
      data,
      box.current,
    );
    return () => plot.destroy();
  }, [JSON.stringify(data), title, JSON.stringify(span), yMax]);
  const empty = !data || data[0].length === 0;
  const measured = !empty && data.slice(1).some((ys) => ys.some((y) => y !== null && y !== undefined));
  return html`<figure class="chart" aria-label=${title}><figcaption>${title}</figcaption>${empty ? html`<p class="muted">no calls in this range</p>` : measured ? null : html`<p class="muted">not measured in this range</p>`}<div ref=${box} data-points=${empty ? 0 : data[0].length}></div></figure>`;
}

// Carrier names by id (GET /v1/carriers, read once per page; billing may not read carriers and
// sees a shortened id instead).
export function useCarrierNames(session) {
  const list = usePoll(() => (session.role === 'billing' ? Promise.resolve({ carriers: [] }) : api('GET', '/v1/carriers')), [session.role], 60_000);
  const names = new Map(((list.data && list.data.carriers) || []).map((c) => [c.id, c.name]));
  return (id) => names.get(id) || (id ? `${id.slice(0, 8)}…` : '');
}
