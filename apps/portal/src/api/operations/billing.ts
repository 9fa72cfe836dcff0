import { operation } from '../operation';

export interface Invoice {
  id: string;
  number: string | null;
  status: string;
  currency: string;
  amountDue: number;
  amountPaid: number;
  hostedInvoiceUrl: string | null;
  periodStart: string | null;
  periodEnd: string | null;
}

export const InvoicesQuery = operation<{ invoices: Invoice[] }>(
  `query Invoices { invoices { id number status currency amountDue amountPaid hostedInvoiceUrl periodStart periodEnd } }`,
);

export const StartCheckoutMutation = operation<{ startCheckout: { url: string } }, { plan: string }>(
  `mutation StartCheckout($plan: String!) { startCheckout(plan: $plan) { url } }`,
);

export const OpenBillingPortalMutation = operation<{ openBillingPortal: { url: string } }>(
  `mutation OpenBillingPortal { openBillingPortal { url } }`,
);
