// What the broker knows, for support and debugging: transport and why, socket state and its
// history, tabs and their bands, per-band subscription state, and a live chart of heartbeat
// round-trip time and event rate.
import { LitElement, css, html, nothing } from 'lit';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';
import { unsafeCSS } from 'lit';
import type { OutboxEntry, Write, Diagnostics } from '../../client/index.js';
import type { Services } from '../services.js';
import { base } from '../styles.js';

const SAMPLE_MS = 1000;

/** What a queued write is about, briefly. */
function describeTarget(write: Write): unknown {
  switch (write.kind) {
    case 'band.create':
      return `band “${write.name}”`;
    case 'band.join':
      return `invite ${write.code}`;
    default:
      return html`<code>${write.songId.slice(0, 8)}</code>`;
  }
}
const WINDOW = 120;

export class DiagnosticsPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    snapshot: { state: true },
    outbox: { state: true },
  };
  declare services: Services;
  declare snapshot: Diagnostics | undefined;
  declare outbox: OutboxEntry[];
  private timer: ReturnType<typeof setInterval> | undefined;
  private chart: uPlot | undefined;
  private readonly series: [number[], (number | null)[], number[]] = [[], [], []];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
    this.chart?.destroy();
    this.chart = undefined;
  }

  private async sample(): Promise<void> {
    const snapshot = await this.services.backline.diagnostics();
    this.snapshot = snapshot;
    // Signed out, the broker has no outbox to show.
    this.outbox = await this.services.backline.outbox().catch(() => []);
    const [times, rtt, rate] = this.series;
    times.push(Date.now() / 1000);
    rtt.push(snapshot.users[0]?.heartbeatRttMs ?? null);
    rate.push(snapshot.eventsPerSecond);
    if (times.length > WINDOW) this.series.forEach((column) => column.shift());
    await this.updateComplete;
    this.drawChart();
  }

  private drawChart(): void {
    const target = this.renderRoot.querySelector<HTMLElement>('.chart');
    if (!target) return;
    if (!this.chart) {
      this.chart = new uPlot(
        {
          width: Math.min(720, target.clientWidth || 320),
          height: 220,
          series: [
            {},
            { label: 'Heartbeat RTT (ms)', stroke: '#b45309', scale: 'ms' },
            { label: 'Events / s', stroke: '#2563eb', scale: 'rate' },
          ],
          axes: [
            {},
            { scale: 'ms', label: 'ms' },
            { scale: 'rate', side: 1, label: 'events/s', grid: { show: false } },
          ],
        },
        this.series,
        target,
      );
    } else {
      this.chart.setData(this.series);
    }
  }

  override render(): unknown {
    const d = this.snapshot;
    return html`<main>
      <p><a href="#/">← Your bands</a></p>
      <h1>Diagnostics</h1>
      ${
        d
          ? html`<dl>
                <dt>Transport</dt>
                <dd>
                  ${d.mode === 'shared' ? 'Shared worker' : 'Per tab'} (${d.modeReason}), generation
                  ${d.generation}
                </dd>
                <dt>Events per second</dt>
                <dd>${d.eventsPerSecond.toFixed(1)}</dd>
              </dl>
              <div class="chart" aria-label="Heartbeat round-trip time and event rate"></div>
              ${d.users.map(
                (user) =>
                  html`<section aria-label="Socket of ${user.userId}">
                    <h2>Socket: ${user.state.kind}</h2>
                    <p class="muted">
                      Attempt
                      ${user.state.attempt}${
                        user.state.nextRetryAt
                          ? `, next retry ${new Date(user.state.nextRetryAt).toLocaleTimeString()}`
                          : ''
                      }${user.state.lastError ? `, last error: ${user.state.lastError.message}` : ''};
                      heartbeat round trip ${user.heartbeatRttMs ?? '–'} ms; ${user.channels}
                      channels${
                        user.outboxJunkDropped > 0
                          ? `; ${user.outboxJunkDropped} malformed outbox messages ignored`
                          : ''
                      }
                    </p>
                    <h3>Bands</h3>
                    <table>
                      <thead>
                        <tr>
                          <th>Band</th>
                          <th>State</th>
                          <th>Tabs</th>
                          <th>Last seq</th>
                          <th>Catch-ups</th>
                          <th>Delivered</th>
                          <th>Duplicates dropped</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${user.bands.map(
                          (band) =>
                            html`<tr>
                              <td><code>${band.bandId.slice(0, 8)}</code></td>
                              <td>${band.status}</td>
                              <td>${band.watchers}</td>
                              <td>${band.lastSeq}</td>
                              <td>${band.catchUps}</td>
                              <td>${band.eventsDelivered}</td>
                              <td>${band.duplicatesDropped}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                    <h3>History</h3>
                    <ol class="history">
                      ${[...user.history].reverse().map(
                        (change) =>
                          html`<li>
                            <time>${new Date(change.at).toLocaleTimeString()}</time>
                            ${change.kind}${change.error ? ` (${change.error})` : ''}
                          </li>`,
                      )}
                    </ol>
                  </section>`,
              )}
              <section aria-label="Outbox">
                <h2>Outbox</h2>
                ${
                  this.outbox?.length
                    ? html`<table>
                        <thead>
                          <tr>
                            <th>Change</th>
                            <th>Of</th>
                            <th>Status</th>
                            <th>Attempts</th>
                            <th>Queued</th>
                            <th>Last error</th>
                          </tr>
                        </thead>
                        <tbody>
                          ${this.outbox.map(
                            (entry) =>
                              html`<tr>
                                <td>${entry.write.kind}</td>
                                <td>${describeTarget(entry.write)}</td>
                                <td>${entry.status}</td>
                                <td>${entry.attempts}</td>
                                <td>${new Date(entry.createdAt).toLocaleTimeString()}</td>
                                <td>${entry.error ? `${entry.error.code}: ${entry.error.message}` : ''}</td>
                              </tr>`,
                          )}
                        </tbody>
                      </table>`
                    : html`<p class="muted">Every change is synced.</p>`
                }
              </section>
              <h2>Tabs</h2>
              <ul>
                ${d.tabs.map((tab) => html`<li><code>${tab.tabId.slice(0, 12)}</code>: ${tab.bands.length} bands</li>`)}
              </ul>`
          : html`<p class="muted">Loading…</p>`
      }
      ${nothing}
    </main>`;
  }

  static override styles = [
    base,
    unsafeCSS(uPlotCss),
    css`
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 1rem;
      }
      dt {
        color: var(--muted);
      }
      dd {
        margin: 0;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.9rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.3rem 0.5rem;
        border-bottom: 1px solid var(--line);
      }
      /* On a phone the page stays 390 px wide: cells wrap (no scrolling region to reach by keyboard). */
      @media (max-width: 640px) {
        table {
          font-size: 0.8rem;
        }
        th,
        td {
          padding: 0.25rem;
        }
        th {
          font-size: 0.75rem;
          overflow-wrap: normal;
        }
      }
      .history {
        max-height: 12rem;
        overflow: auto;
        font-size: 0.9rem;
      }
      /* Drawn at the width it had first; a narrower window clips it rather than widening the page. */
      .chart {
        width: 100%;
        max-width: 720px;
        margin: 1rem 0;
        overflow: hidden;
      }
      /* uPlot paints its axes black on the canvas; in the dark scheme, turn the canvas inside out
         (the hue rotation keeps the series' colours close to their legend's). */
      @media (prefers-color-scheme: dark) {
        .chart canvas {
          filter: invert(1) hue-rotate(180deg);
        }
      }
    `,
  ];
}
customElements.define('diagnostics-page', DiagnosticsPage);
