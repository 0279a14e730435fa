// client.embeddings.create through the gateway: priced at input tokens only (the embedding model's
// output price is seeded non-zero on purpose, so charging any output would show), reserved and settled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, groupKey, teamOf, settledBalance, decisionEvents, expectedCost, sumOfEventCosts } from './ledger.mjs';

test('embeddings.create: usage.prompt_tokens, wallet charged input-only', async () => {
  const team = teamOf('embed');
  // The mock upstream counts one token per word plus one per input: 10 + 3.
  const res = await client(groupKey('embed')).embeddings.create({
    model: 'text-embedding-3-small',
    input: ['The quick brown fox jumps over the lazy dog', 'hello world'],
    encoding_format: 'float',
  });
  assert.equal(res.object, 'list');
  assert.equal(res.model, 'text-embedding-3-small');
  assert.deepEqual(res.data.map((d) => d.index), [0, 1]);
  for (const d of res.data) {
    assert.ok(Array.isArray(d.embedding) && d.embedding.length > 0, 'a vector per input');
    assert.ok(d.embedding.every((x) => typeof x === 'number'));
  }
  assert.equal(res.usage.prompt_tokens, 13);
  assert.equal(res.usage.total_tokens, 13);

  const cost = expectedCost('text-embedding-3-small', 13, 0);
  assert.equal(cost, 260n, '13 x 0.00002/1k');
  const after = await settledBalance(team, { spentAtLeast: cost });
  assert.equal(after.reserved, 0n, 'nothing left reserved');
  assert.equal(after.raw.spent, '0.00000026', 'spent, as the API prints it');
  assert.equal(after.spent, cost, 'input tokens only');

  const { text, events } = await decisionEvents(team, 1);
  assert.equal(events.length, 1, 'one decision event');
  assert.equal(events[0].route, '/v1/embeddings');
  assert.equal(events[0].status, 200);
  assert.equal(events[0].model, 'text-embedding-3-small');
  assert.equal(events[0].usage.prompt_tokens, 13);
  assert.equal(events[0].usage.completion_tokens, 0);
  assert.equal(sumOfEventCosts(text, 1), after.spent, 'sum of event costs = spent');
});
