import { obj, str, type FormObject } from '../form-body';
import { listEnvelope, type AcceptedMeterEvent, type StripeFakeStore } from '../stripe-fake-store';
import { missingParam, noSuch, StripeHttpError } from '../stripe-error';
import { route, type Route } from '../route';

const DAY = 86_400;

/**
 * Stripe refuses a meter event whose identifier it has already accepted (uniqueness is kept for
 * at least 24 h): HTTP 400, type invalid_request_error, message "An event already exists with
 * identifier <id>.", and `Stripe-Should-Retry: false` so the SDK does not retry it. Reports of
 * the real API show no `code` on this error, so the fake sends none: callers match the message.
 */
export function duplicateIdentifier(identifier: string): StripeHttpError {
  return new StripeHttpError(400, 'invalid_request_error', `An event already exists with identifier ${identifier}.`, {
    headers: { 'Stripe-Should-Retry': 'false' },
  });
}

interface MeterEventInput {
  eventName?: string;
  identifier?: string;
  timestamp?: number;
  payload?: Record<string, string>;
}

/** Validates and records one event; shared by the v1 and v2 endpoints. */
function acceptMeterEvent(store: StripeFakeStore, input: MeterEventInput, api: 'v1' | 'v2'): AcceptedMeterEvent {
  if (!input.eventName) throw missingParam('event_name');
  if (!input.payload) throw missingParam('payload');
  const meter = store.meterFor(input.eventName);
  if (!meter)
    throw new StripeHttpError(400, 'invalid_request_error', 'No active meter found with this event name.', {
      param: 'event_name',
    });
  const customerKey = (meter.customer_mapping as { event_payload_key: string }).event_payload_key;
  const valueKey = (meter.value_settings as { event_payload_key: string }).event_payload_key;
  const customer = input.payload[customerKey];
  if (!customer) throw missingParam(`payload[${customerKey}]`);
  const value = Number(input.payload[valueKey] ?? 1);
  if (!Number.isFinite(value))
    throw new StripeHttpError(400, 'invalid_request_error', `Invalid payload[${valueKey}]: must be a number.`, {
      param: `payload[${valueKey}]`,
    });
  const now = store.now();
  const timestamp = input.timestamp ?? now;
  if (timestamp < now - 35 * DAY || timestamp > now + 300) {
    throw new StripeHttpError(
      400,
      'invalid_request_error',
      'Timestamp must be within the past 35 calendar days or up to 5 minutes in the future.',
      { param: 'timestamp' },
    );
  }
  const identifier = input.identifier ?? store.newId('evt_meter');
  if (store.meterEventIdentifiers.has(identifier)) throw duplicateIdentifier(identifier);
  store.meterEventIdentifiers.add(identifier);
  const event: AcceptedMeterEvent = {
    identifier,
    eventName: input.eventName,
    customer,
    value,
    timestamp,
    payload: input.payload,
    api,
  };
  store.meterEvents.push(event);
  return event;
}

function v2Payload(body: FormObject): Record<string, string> | undefined {
  return obj(body, 'payload');
}

export const billingRoutes: Route[] = [
  route('POST', /^\/v1\/billing\/meter_events$/, ({ store, body }) => {
    const ts = str(body, 'timestamp');
    const event = acceptMeterEvent(
      store,
      {
        eventName: str(body, 'event_name'),
        identifier: str(body, 'identifier'),
        timestamp: ts === undefined ? undefined : Number(ts),
        payload: obj(body, 'payload'),
      },
      'v1',
    );
    return {
      object: 'billing.meter_event',
      created: store.now(),
      event_name: event.eventName,
      identifier: event.identifier,
      livemode: false,
      payload: event.payload,
      timestamp: event.timestamp,
    };
  }),
  route('GET', /^\/v1\/billing\/meters$/, ({ store, query }) => {
    const status = query.get('status');
    return listEnvelope(
      '/v1/billing/meters',
      [...store.meters.values()].filter((m) => !status || m.status === status),
      query,
    );
  }),
  route('GET', /^\/v1\/billing\/meters\/([^/]+)$/, ({ store, params: [id] }) => {
    const meter = store.meters.get(id);
    if (!meter) throw noSuch('billing.meter', id);
    return meter;
  }),
  route('GET', /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/, ({ store, params: [id], query }) => {
    const meter = store.meters.get(id);
    if (!meter) throw noSuch('billing.meter', id);
    const customer = query.get('customer');
    const start = Number(query.get('start_time'));
    const end = Number(query.get('end_time'));
    if (!customer) throw missingParam('customer');
    if (!query.get('start_time')) throw missingParam('start_time');
    if (!query.get('end_time')) throw missingParam('end_time');
    const window = query.get('value_grouping_window');
    const step = window === 'hour' ? 3600 : window === 'day' ? DAY : end - start;
    const events = store.meterEvents.filter((e) => e.eventName === meter.event_name && e.customer === customer);
    const summaries = [];
    for (let from = window ? start - (start % step) : start; from < end; from += step) {
      const to = Math.min(end, from + step);
      const aggregated = events
        .filter((e) => e.timestamp >= Math.max(from, start) && e.timestamp < to)
        .reduce((sum, e) => sum + e.value, 0);
      summaries.push({
        id: `mtrusg_${id}_${from}`,
        object: 'billing.meter_event_summary',
        created: store.now(),
        aggregated_value: aggregated,
        start_time: from,
        end_time: to,
        meter: id,
        livemode: false,
      });
    }
    return listEnvelope(`/v1/billing/meters/${id}/event_summaries`, summaries.reverse(), query);
  }),
  route('POST', /^\/v2\/billing\/meter_events$/, ({ store, body }) => {
    const ts = str(body, 'timestamp');
    const event = acceptMeterEvent(
      store,
      {
        eventName: str(body, 'event_name'),
        identifier: str(body, 'identifier'),
        timestamp: ts ? Math.floor(Date.parse(ts) / 1000) : undefined,
        payload: v2Payload(body),
      },
      'v2',
    );
    return {
      object: 'v2.billing.meter_event',
      created: new Date().toISOString(),
      event_name: event.eventName,
      identifier: event.identifier,
      livemode: false,
      payload: event.payload,
      timestamp: new Date(event.timestamp * 1000).toISOString(),
    };
  }),
  route('POST', /^\/v2\/billing\/meter_event_session$/, ({ store }) => {
    const created = new Date();
    return {
      id: store.newId('mes'),
      object: 'v2.billing.meter_event_session',
      authentication_token: store.newId('ek_test'),
      created: created.toISOString(),
      expires_at: new Date(created.getTime() + 15 * 60_000).toISOString(),
      livemode: false,
    };
  }),
  route('POST', /^\/v2\/billing\/meter_event_stream$/, ({ store, body }) => {
    // The stream validates asynchronously: a bad or duplicate event is dropped, never refused inline.
    const events = Array.isArray(body.events) ? body.events : [];
    for (const raw of events) {
      const e = raw as FormObject;
      const ts = str(e, 'timestamp');
      try {
        acceptMeterEvent(
          store,
          {
            eventName: str(e, 'event_name'),
            identifier: str(e, 'identifier'),
            timestamp: ts ? Math.floor(Date.parse(ts) / 1000) : undefined,
            payload: v2Payload(e),
          },
          'v2',
        );
      } catch (error) {
        if (!(error instanceof StripeHttpError)) throw error;
      }
    }
    return {};
  }),
];
