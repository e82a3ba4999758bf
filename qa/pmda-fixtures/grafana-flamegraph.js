#!/usr/bin/env node
// grafana-flamegraph.js: reads a stacks metric through pmproxy's REST API the way
// grafana-pcp's PCP Vector data source does, and turns it into a flame graph by
// grafana-pcp's own rules, so a test sees what grafana-pcp's flame graph panel would draw.
//
//   node grafana-flamegraph.js PMPROXY_URL METRIC [EXPR]
//
// With EXPR, METRIC is first registered as a derived metric of that expression, as the data
// source does for a query that is an expression (for example one that picks instances:
// matchinst(/^fib\/fast\/perf,/, agentbench.profile.stacks)).
//
// It follows performancecopilot/grafana-pcp at commit bca33d7 (2026-08-21):
//   - src/datasources/lib/pmapi/data_processor.ts, functions buildStackTree,
//     computeCumulativeValue and flattenTree (called by transformToFlameGraph, the
//     'flamegraph_grafana' target format): one field per instance whose name is the
//     instance name; count = the sum of the field's values over the time range; fields
//     with count < minSamples (default 1) skipped; the name split at /[\n,]/, each piece
//     trimmed, empty pieces skipped; the first piece is a child of "root"; the last
//     node's leafValue += count; then a pre-order walk giving level, label, value
//     (cumulative) and self. hideUnresolved and hideIdle are off (their defaults).
//   - src/datasources/lib/pmapi/field_transformations.ts, applyFieldTransformations: only
//     counters are rate-converted; agentbench's stacks metrics are instant, so a value is
//     used as it is. One fetch is one point of the time range here.
// Requests, as grafana-pcp's src/common/services/pmapi/PmApiService.ts makes them: one
// context (/pmapi/context?polltimeout=30), then on it /pmapi/derive?name=METRIC&expr=EXPR,
// /pmapi/fetch?names=METRIC (values by instance id) and /pmapi/indom?name=METRIC (names).
// Prints the flame graph frame as JSON: {"level":[...],"label":[...],"value":[...],
// "self":[...]}, then exits 0; 1 with a message on stderr when pmproxy fails.
'use strict';

async function getJson(url) {
    const res = await fetch(url);
    const text = await res.text();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}: ${text}`);
    return JSON.parse(text);
}

// data_processor.ts buildStackTree, for fields [{name, values}]
function buildStackTree(fields, minSamples, hideUnresolved, hideIdle) {
    const root = { name: 'root', leafValue: 0, children: [] };
    for (const field of fields) {
        let count = 0;
        for (const value of field.values) {
            if (value !== null && value !== undefined) count += value;
        }
        if (count < minSamples) continue;
        let curNode = root;
        const stacks = field.name.split(/[\n,]/);
        let skip = false;
        for (let stackFrame of stacks) {
            stackFrame = stackFrame.trim();
            if (!stackFrame || (hideUnresolved && stackFrame.startsWith('0x'))) continue;
            if (hideIdle && stackFrame.startsWith('cpuidle_enter_state+')) {
                skip = true;
                break;
            }
            let child = curNode.children.find(c => c.name === stackFrame);
            if (!child) {
                child = { name: stackFrame, leafValue: 0, children: [] };
                curNode.children.push(child);
            }
            curNode = child;
        }
        if (!skip) curNode.leafValue += count;
    }
    return root;
}

function computeCumulativeValue(node) {
    let total = node.leafValue;
    for (const child of node.children) total += computeCumulativeValue(child);
    return total;
}

function flattenTree(node, level, levels, labels, values, selfs) {
    levels.push(level);
    labels.push(node.name);
    values.push(computeCumulativeValue(node));
    selfs.push(node.leafValue);
    for (const child of node.children) flattenTree(child, level + 1, levels, labels, values, selfs);
}

async function main() {
    const [base, metric, expr] = process.argv.slice(2);
    if (!base || !metric) {
        console.error('usage: grafana-flamegraph.js PMPROXY_URL METRIC [EXPR]');
        process.exit(2);
    }
    const { context } = await getJson(`${base}/pmapi/context?polltimeout=30`);
    const q = (params) => new URLSearchParams({ context, ...params }).toString();
    if (expr) await getJson(`${base}/pmapi/derive?${q({ name: metric, expr })}`);
    const fetched = await getJson(`${base}/pmapi/fetch?${q({ names: metric })}`);
    const indom = await getJson(`${base}/pmapi/indom?${q({ name: metric })}`);
    const names = new Map((indom.instances || []).map(i => [i.instance, i.name]));
    const fields = [];
    for (const v of fetched.values || []) {
        for (const inst of v.instances || []) {
            const name = names.get(inst.instance);
            if (name) fields.push({ name, values: [inst.value] });
        }
    }
    const root = buildStackTree(fields, 1, false, false);   // the data source's defaults
    const frame = { level: [], label: [], value: [], self: [] };
    flattenTree(root, 0, frame.level, frame.label, frame.value, frame.self);
    process.stdout.write(JSON.stringify(frame) + '\n');
}

main().catch(err => {
    console.error(`grafana-flamegraph.js: ${err.message}`);
    process.exit(1);
});
