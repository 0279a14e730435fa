// A plain chat completion through the official SDK: the tutorial's haiku, usage 14/25/39, and the
// wallet charged exactly 14 x 0.00015/1k + 25 x 0.0006/1k = $0.0000171.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, groupKey, teamOf, HAIKU, settledBalance, decisionEvents, expectedCost, sumOfEventCosts } from './ledger.mjs';

const HAIKU_TEXT = 'Servers hum softly\nData drifts through endless sky\nThe cloud holds our dreams';

test('chat.completions.create: usage 14/25/39 and the wallet charged exactly', async () => {
  const team = teamOf('chat');
  const before = await settledBalance(team, { spentAtLeast: 0n });
  assert.equal(before.spent, 0n, 'the wallet starts unspent');

  const res = await client(groupKey('chat')).chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: HAIKU }],
  });
  assert.equal(res.object, 'chat.completion');
  assert.equal(res.model, 'gpt-4o-mini');
  assert.equal(res.choices.length, 1);
  assert.equal(res.choices[0].message.content, HAIKU_TEXT);
  assert.equal(res.choices[0].finish_reason, 'stop');
  assert.deepEqual(res.usage, { prompt_tokens: 14, completion_tokens: 25, total_tokens: 39 });

  const cost = expectedCost('gpt-4o-mini', 14, 25);
  assert.equal(cost, 17100n);
  const after = await settledBalance(team, { spentAtLeast: cost });
  assert.equal(after.reserved, 0n, 'nothing left reserved');
  assert.equal(after.raw.spent, '0.0000171', 'spent, as the API prints it');
  assert.equal(after.spent, cost);

  const { text, events } = await decisionEvents(team, 1);
  assert.equal(events.length, 1, 'one decision event');
  assert.equal(events[0].route, '/v1/chat/completions');
  assert.equal(events[0].consumer_group, 'sdk_chat');
  assert.equal(events[0].status, 200);
  assert.equal(events[0].stream, false);
  assert.equal(events[0].usage_source, 'provider');
  assert.equal(sumOfEventCosts(text, 1), after.spent, 'sum of event costs = spent');
});
