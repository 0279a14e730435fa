// Streams through the SDK's async iterator. Without stream_options the client must not see a usage
// chunk (the gateway asks upstream for one and removes it), yet the wallet is charged the exact
// streamed usage. With include_usage the final chunk carries it unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, groupKey, teamOf, HAIKU, settledBalance, decisionEvents, expectedCost, sumOfEventCosts } from './ledger.mjs';

const HAIKU_TEXT = 'Servers hum softly\nData drifts through endless sky\nThe cloud holds our dreams';

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
const contentOf = (chunks) => chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');

async function assertChargedExactly(group, cost, usage) {
  const team = teamOf(group);
  const after = await settledBalance(team, { spentAtLeast: cost });
  assert.equal(after.reserved, 0n, 'nothing left reserved');
  assert.equal(after.spent, cost, `spent ${after.raw.spent}`);
  const { text, events } = await decisionEvents(team, 1);
  assert.equal(events.length, 1, 'one decision event');
  assert.equal(events[0].stream, true);
  assert.equal(events[0].usage_source, 'provider');
  assert.deepEqual(
    { p: events[0].usage.prompt_tokens, c: events[0].usage.completion_tokens, t: events[0].usage.total_tokens },
    { p: usage.prompt_tokens, c: usage.completion_tokens, t: usage.total_tokens });
  assert.equal(sumOfEventCosts(text, 1), after.spent, 'sum of event costs = spent');
  return after;
}

test('stream without include_usage: content assembled, no usage chunk, still charged exactly', async () => {
  const stream = await client(groupKey('stream')).chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content: HAIKU }],
  });
  const chunks = await collect(stream);
  assert.ok(chunks.length > 2, `streamed in several chunks (got ${chunks.length})`);
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.usage ?? null, null, `a chunk carried usage the client did not ask for: ${JSON.stringify(c)}`);
    assert.equal(c.choices.length, 1, 'no usage-only (empty choices) chunk');
  }
  assert.equal(contentOf(chunks), HAIKU_TEXT);
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');

  const after = await assertChargedExactly('stream', expectedCost('gpt-4o-mini', 14, 25),
    { prompt_tokens: 14, completion_tokens: 25, total_tokens: 39 });
  assert.equal(after.raw.spent, '0.0000171');
});

test('stream with stream_options.include_usage: the final chunk carries usage 14/25/39', async () => {
  const stream = await client(groupKey('stream_usage')).chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: HAIKU }],
  });
  const chunks = await collect(stream);
  const withUsage = chunks.filter((c) => c.usage != null);
  assert.equal(withUsage.length, 1, 'exactly one usage chunk');
  const last = chunks.at(-1);
  assert.equal(last, withUsage[0], 'the usage chunk is the last one');
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, { prompt_tokens: 14, completion_tokens: 25, total_tokens: 39 });
  assert.equal(contentOf(chunks.slice(0, -1)), HAIKU_TEXT);

  const after = await assertChargedExactly('stream_usage', expectedCost('gpt-4o-mini', 14, 25), last.usage);
  assert.equal(after.raw.spent, '0.0000171');
});
