/** Plain, legible defaults; every colour comes from a custom property an app can override. */
export const styles = `
:host { display: block; font: 14px/1.4 system-ui, sans-serif; color: var(--landed-fg, #1c1f23); background: var(--landed-bg, #fff); }
section.landed { padding: 12px; }
header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
h2 { font-size: 18px; margin: 0; }
h3 { font-size: 15px; margin: 16px 0 6px; }
.summary { margin: 0; color: var(--landed-muted, #4a5560); }
.controls { margin: 10px 0; display: flex; gap: 8px; align-items: center; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--landed-line, #d8dde3); vertical-align: top; }
thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--landed-muted, #4a5560); }
td.num { font-variant-numeric: tabular-nums; }
td.error { max-width: 28em; color: var(--landed-muted, #4a5560); }
td.empty { color: var(--landed-muted, #4a5560); font-style: italic; }
.state { display: inline-block; padding: 1px 8px; border-radius: 10px; background: var(--landed-chip, #eef1f4); font-size: 12px; }
.state.confirmed { background: var(--landed-ok, #dff3e4); color: #14532d; }
.state.uncertain, .state.sending { background: var(--landed-wait, #fff4d6); color: #713f12; }
.state.attention { background: var(--landed-bad, #fde2e1); color: #7f1d1d; font-weight: 600; }
.tag { font-size: 12px; color: var(--landed-muted, #4a5560); }
.actions { white-space: nowrap; }
button { font: inherit; font-size: 13px; margin: 0 4px 4px 0; padding: 3px 10px; border: 1px solid var(--landed-line, #9aa5b1); border-radius: 6px; background: var(--landed-button, #f7f9fb); color: inherit; cursor: pointer; }
button:disabled { opacity: .45; cursor: not-allowed; }
button:focus-visible, select:focus-visible { outline: 3px solid var(--landed-focus, #2563eb); outline-offset: 1px; }
.message { min-height: 1.4em; margin: 6px 0; }
.message.error { color: #b42318; }
ol { margin: 0; padding-left: 3em; }
ol.log { max-height: 16em; overflow: auto; }
li time { color: var(--landed-muted, #4a5560); font-variant-numeric: tabular-nums; }
.key { font-family: ui-monospace, monospace; font-size: 12px; color: var(--landed-muted, #4a5560); }
`;
