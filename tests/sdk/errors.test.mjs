// Refusals as the SDK surfaces them: a 402 budget_exceeded is an APIError with status 402 and the
// gateway's error object; a wrong key is an AuthenticationError (401). Neither reaches the upstream
// nor moves the ledger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { APIError, AuthenticationError } from 'openai';
import { client, groupKey, teamOf, HAIKU, balance, decisionEvents, sumOfEventCosts, mockHits } from './ledger.mjs';

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the request was expected to fail');
}

test('402 budget_exceeded surfaces as APIError with status 402 and error.type', async () => {
  const team = teamOf('broke');
  const hitsBefore = await mockHits();
  const err = await rejection(client(groupKey('broke')).chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: HAIKU }],
  }));
  assert.ok(err instanceof APIError, `an APIError, got ${err?.constructor?.name}: ${err}`);
  assert.ok(err instanceof OpenAI.APIError);
  assert.ok(!(err instanceof OpenAI.APIConnectionError), 'an HTTP answer, not a connection failure');
  assert.equal(err.status, 402);
  assert.equal(err.error.type, 'budget_exceeded');
  assert.equal(err.error.code, 'insufficient_balance');
  assert.equal(err.type, 'budget_exceeded');
  assert.equal(err.code, 'insufficient_balance');
  assert.equal(err.error.message, 'Budget exceeded for consumer group: sdk_broke');
  assert.equal(err.error.details.team, 'sdk_broke');
  assert.equal(err.error.details.spent, 0);
  assert.equal(err.error.details.budget, 0.000001);
  assert.ok(err.error.details.estimated_cost > err.error.details.budget, 'the estimate is what did not fit');
  assert.match(err.message, /^402 Budget exceeded for consumer group: sdk_broke/);

  assert.equal(await mockHits(), hitsBefore, 'the refused request never reached the upstream');
  const b = await balance(team);
  assert.equal(b.raw.budget, '0.000001');
  assert.equal(b.spent, 0n, 'nothing charged');
  assert.equal(b.reserved, 0n, 'nothing left reserved');
  const { text, events } = await decisionEvents(team, 1);
  assert.equal(events.length, 1);
  assert.equal(events[0].status, 402);
  assert.equal(events[0].reason, 'budget_exceeded');
  assert.equal(sumOfEventCosts(text, 1), b.spent, 'sum of event costs = spent = 0');
});

test('a wrong key is an AuthenticationError with status 401', async () => {
  const hitsBefore = await mockHits();
  const err = await rejection(client('kt_cg_not_a_real_key_0123456789').chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: HAIKU }],
  }));
  assert.ok(err instanceof AuthenticationError, `an AuthenticationError, got ${err?.constructor?.name}: ${err}`);
  assert.ok(err instanceof APIError);
  assert.equal(err.status, 401);
  assert.equal(err.error.type, 'authentication_error');
  assert.equal(err.error.code, 'invalid_api_key');
  assert.equal(await mockHits(), hitsBefore, 'an unauthenticated request never reaches the upstream');
  // The right key still works with the same SDK setup, so the 401 is about the key alone.
  const models = await client(groupKey('broke')).models.list();
  assert.ok(models.data.some((m) => m.id === 'gpt-4o-mini'), 'models listed with a valid key');
});
