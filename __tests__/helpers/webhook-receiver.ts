import { createServer } from 'http';
import { freePort } from '../../devkit/real-binaries';

/** One alert of an Alertmanager webhook notification. */
export interface NotifiedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** What the test's webhook received, with when. */
export interface Notification {
  readonly receivedAt: number;
  readonly alerts: readonly NotifiedAlert[];
}

/** A loopback HTTP server that records Alertmanager's webhook notifications. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  notifications: Notification[];
  waitFor: (predicate: (alert: NotifiedAlert) => boolean, timeoutMs: number) => Promise<{ alert: NotifiedAlert; receivedAt: number }>;
  close: () => Promise<void>;
}> {
  const notifications: Notification[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      notifications.push({ receivedAt: Date.now(), alerts: JSON.parse(body).alerts });
      response.writeHead(200).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    notifications,
    async waitFor(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        for (const notification of notifications) {
          const alert = notification.alerts.find(predicate);
          if (alert) return { alert, receivedAt: notification.receivedAt };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no matching notification within ${timeoutMs} ms; received:\n${JSON.stringify(notifications, null, 1)}`);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
