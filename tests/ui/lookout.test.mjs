// What a user sees and does in the web UI, in headless Chromium (Debian's,
// driven by playwright-core). run_ui_test.sh starts the server and executor
// and submits the jobs:
//   ui-a/finished-set: two jobs that succeed (one prints "hello from the ui
//     test"), one that fails with exit code 3;
//   ui-a/too-big: one job asking for 64 cpus of a 4-cpu node (stays queued);
//   ui-b/long-set: three jobs that run until cancelled.
// The tests run in order and share one browser; the last one cancels long-set.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import path from "node:path";
import { chromium } from "playwright-core";

const kUrl = process.env.ARMADA_UI_URL;
const kShots = process.env.ARMADA_UI_SHOTS;
const kHugeJob = process.env.ARMADA_UI_HUGE_JOB;
const kTimeout = 20000;

let browser;
let page;
const consoleErrors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1500, height: 860 } });
  page.setDefaultTimeout(kTimeout);
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: path.join(kShots, `${name}.png`) });

// The text of one column in every row of the jobs table.
async function column(name) {
  return page.locator(`#jobs-table tbody tr.job td[data-column="${name}"]`).allTextContents();
}

async function rowsUntil(predicate, what) {
  await page.waitForFunction(() => document.querySelector("#jobs-table tbody tr.job, #jobs-table td.empty"));
  for (let i = 0; i < 100; ++i) {
    const queues = await column("queue");
    const states = await column("state");
    if (predicate(queues, states)) return { queues, states };
    await page.waitForTimeout(100);
  }
  assert.fail(`the jobs table never showed ${what}: ${JSON.stringify(await column("jobId"))}`);
}

test("the jobs page opens on the most recent jobs of every queue", async () => {
  await page.goto(`${kUrl}/`);
  const { queues, states } = await rowsUntil((q) => q.length === 7, "all 7 jobs");
  assert.deepEqual([...new Set(queues)].sort(), ["ui-a", "ui-b"]);
  assert.deepEqual(states.filter((s) => s === "SUCCEEDED").length, 2);
  assert.deepEqual(states.filter((s) => s === "FAILED").length, 1);
  assert.deepEqual(states.filter((s) => s === "RUNNING").length, 3);
  assert.deepEqual(states.filter((s) => s === "QUEUED").length, 1);
  const failedExit = await page.locator('#jobs-table tr.job[data-state="FAILED"] td[data-column="exitCode"]').textContent();
  assert.equal(failedExit, "3");
  await shot("jobs");
});

test("a filter on the queue is applied by the server, kept in the URL, and a link reproduces it", async () => {
  await page.selectOption('select[name="match-queue"]', "exact");
  await page.fill('input[name="filter-queue"]', "ui-b");
  await page.click('form#filters button[type="submit"]');
  const { queues } = await rowsUntil((q) => q.length === 3 && q.every((x) => x === "ui-b"), "only ui-b's jobs");
  assert.equal(queues.length, 3);
  const url = page.url();
  assert.match(decodeURIComponent(url), /q\.queue=exact:ui-b/);
  const other = await browser.newPage();
  await other.goto(url);
  await other.waitForFunction(() => document.querySelectorAll("#jobs-table tbody tr.job").length === 3);
  const otherQueues = await other.locator('#jobs-table tbody tr.job td[data-column="queue"]').allTextContents();
  assert.deepEqual(otherQueues, ["ui-b", "ui-b", "ui-b"]);
  assert.equal(await other.inputValue('input[name="filter-queue"]'), "ui-b");
  await other.close();
});

test("grouping by state counts the jobs in each state", async () => {
  await page.goto(`${kUrl}/#/jobs?group=state`);
  await page.waitForSelector('#jobs-table tr.group[data-group="RUNNING"]');
  const count = (state) => page.locator(`#jobs-table tr.group[data-group="${state}"] td[data-column="count"]`).textContent();
  assert.equal(await count("RUNNING"), "3");
  assert.equal(await count("SUCCEEDED"), "2");
  assert.equal(await count("FAILED"), "1");
  assert.equal(await count("QUEUED"), "1");
});

test("a job's details show its run, its spec and its logs", async () => {
  await page.goto(`${kUrl}/#/jobs?q.queue=exact:ui-a&q.state=anyOf:SUCCEEDED`);
  await rowsUntil((q) => q.length === 2, "the two succeeded jobs");
  // The job whose command prints the greeting: found by its spec.
  let found = false;
  for (const id of await column("jobId")) {
    await page.click(`#jobs-table tr.job[data-job-id="${id}"] td[data-column="jobId"]`);
    await page.waitForSelector(`#details-job-id:text-is("${id}")`);
    await page.click('button[name="tab-spec"]');
    const spec = await page.locator("#job-spec").textContent();
    assert.match(spec, /busybox/);
    if (!spec.includes("hello from the ui test")) continue;
    found = true;
    assert.match(decodeURIComponent(page.url()), new RegExp(`job=${id}`));
    await page.click('button[name="tab-runs"]');
    await page.waitForSelector("section.run");
    assert.match(await page.locator("section.run h3").first().textContent(), /RUN_SUCCEEDED/);
    assert.match(await page.locator("section.run").first().textContent(), /ui-executor/);
    await page.click('button[name="tab-logs"]');
    await page.waitForSelector("#job-logs");
    const logs = await page.locator("#job-logs").textContent();
    assert.match(logs, /hello from the ui test\nsecond line/);
    await shot("job-logs");
    break;
  }
  assert.ok(found, "no succeeded job printed the greeting");
});

test("a failed job shows its exit code and error", async () => {
  await page.goto(`${kUrl}/#/jobs?q.state=anyOf:FAILED`);
  await rowsUntil((q) => q.length === 1, "the failed job");
  await page.click('#jobs-table tr.job td[data-column="jobId"]');
  await page.click('button[name="tab-details"]');
  await page.waitForSelector("#job-error");
  assert.match(await page.locator("#job-error").textContent(), /3/);
});

test("a job that cannot fit says why, in the words of armadactl get job-report", async () => {
  await page.goto(`${kUrl}/#/jobs?job=${kHugeJob}`);
  await page.waitForSelector(`#details-job-id:text-is("${kHugeJob}")`);
  await page.click('button[name="tab-scheduling"]');
  await page.waitForSelector("pre#scheduling-report");
  // Each cycle rewrites the report's first line (cycle number and time):
  // compare the rest with what the server's report call answers.
  const body = (text) => text.split("\n").slice(1).join("\n");
  const shown = await page.locator("#scheduling-report").textContent();
  const answer = await (await fetch(`${kUrl}/v1/job/${kHugeJob}/scheduler-report`)).json();
  assert.match(shown, /not scheduled/);
  assert.ok(shown.startsWith(`Job ${kHugeJob} (queue ui-a)`), shown);
  assert.equal(body(shown), body(answer.report));
  await shot("job-report");
});

test("the queues page shows each queue's weight and shares", async () => {
  await page.goto(`${kUrl}/#/queues`);
  await page.waitForSelector('#queues-table tr.queue[data-queue="ui-b"]');
  const weight = await page.locator('#queues-table tr.queue[data-queue="ui-b"] td[data-column="weight"]').textContent();
  assert.equal(weight, "1.00");
  const row = await page.locator('#queues-table tr.queue[data-queue="ui-b"]').first().textContent();
  assert.match(row, /running|3/);
  await shot("queues");
});

test("cancelling a job set asks, says how many jobs, and the states change", async () => {
  await page.goto(`${kUrl}/#/jobsets?queue=ui-b`);
  const row = page.locator('#jobsets-table tr.jobset[data-job-set="long-set"]');
  await row.waitFor();
  assert.equal(await row.locator('td[data-state="RUNNING"]').textContent(), "3");
  await shot("jobsets");
  await row.locator('button[name="cancel-jobset"]').click();
  await page.waitForSelector("dialog#confirm[open]");
  assert.match(await page.locator("dialog#confirm .confirm-message").textContent(), /3 jobs not yet finished/);
  await page.fill('dialog#confirm input[name="reason"]', "cancelled from the ui test");
  await page.click('dialog#confirm button[name="confirm"]');
  await page.waitForFunction(() => {
    const cell = document.querySelector('#jobsets-table tr.jobset[data-job-set="long-set"] td[data-state="CANCELLED"]');
    return cell && cell.textContent === "3";
  }, null, { timeout: 30000 });
  await page.goto(`${kUrl}/#/jobs?q.queue=exact:ui-b`);
  await rowsUntil((q, s) => s.length === 3 && s.every((x) => x === "CANCELLED"), "three cancelled jobs");
});

test("no script errors on the way", () => {
  assert.deepEqual(consoleErrors, []);
});
