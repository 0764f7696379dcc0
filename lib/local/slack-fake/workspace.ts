/**
 * The fake Slack workspace's memory: channels (a name maps to a stable ID, as in Slack), messages
 * and their threads, and every request received (for tests that scan what was sent).
 */

export interface FakeMessage {
  /** Channel ID. */
  channel: string;
  channelName: string;
  ts: string;
  /** The parent's ts, for a reply. */
  threadTs?: string;
  text: string;
  blocks: unknown[];
  via: "web-api" | "webhook";
  /** How many times chat.update rewrote it. */
  edits: number;
  /** A reply also shown in the channel. */
  broadcast: boolean;
}

export interface FakeThread {
  channel: string;
  channelName: string;
  ts: string;
  parent: FakeMessage;
  replies: FakeMessage[];
}

export interface ReceivedRequest {
  /** `chat.postMessage`, `webhook`, … */
  method: string;
  /** HTTP status the fake answered. */
  status: number;
  /** Slack's error code when `ok: false`. */
  error?: string;
  /** The decoded arguments (form fields or JSON), as the fake read them. */
  args: Record<string, unknown>;
  /** The raw body, for scans that must see exactly what crossed the wire. */
  rawBody: string;
}

/** `#Deploys-Dev` and `deploys-dev` are the same channel. */
export function channelKey(name: string): string {
  return name.replace(/^#/, "").toLowerCase();
}

export class Workspace {
  readonly messages: FakeMessage[] = [];
  readonly requests: ReceivedRequest[] = [];
  private readonly ids = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private clock = Math.floor(Date.now() / 1000);
  private sequence = 0;

  /** The channel's ID, creating the channel on first use of its name. */
  channelFor(name: string): string {
    const key = channelKey(name);
    let id = this.ids.get(key);
    if (!id) {
      id = `C${(this.ids.size + 1).toString(36).toUpperCase().padStart(8, "0")}`;
      this.ids.set(key, id);
      this.names.set(id, `#${key}`);
    }
    return id;
  }

  /** Resolve a `channel` argument: a known ID, or a name. Undefined for an unknown ID. */
  resolve(channel: string): string | undefined {
    if (/^[CGD][A-Z0-9]{8,}$/.test(channel)) return this.names.has(channel) ? channel : undefined;
    return this.channelFor(channel);
  }

  isChannelId(channel: string): boolean {
    return this.names.has(channel);
  }

  nameOf(id: string): string {
    return this.names.get(id) ?? id;
  }

  /** A message timestamp: unique and increasing, shaped like Slack's ("1700000000.000100"). */
  nextTs(): string {
    this.sequence += 1;
    return `${this.clock}.${String(this.sequence).padStart(6, "0")}`;
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  remove(message: FakeMessage): void {
    this.messages.splice(this.messages.indexOf(message), 1);
    // Slack hides the replies of a deleted parent with it.
    for (let i = this.messages.length - 1; i >= 0; i--) {
      if (this.messages[i]!.channel === message.channel && this.messages[i]!.threadTs === message.ts) this.messages.splice(i, 1);
    }
  }

  /**
   * What the channel itself shows (a name or an ID): its top-level messages and the replies also
   * sent to the channel (`reply_broadcast`), oldest first. Empty for a channel never used.
   */
  channelView(channel: string): FakeMessage[] {
    const id = this.isChannelId(channel) ? channel : this.ids.get(channelKey(channel));
    return this.messages.filter((m) => m.channel === id && (!m.threadTs || m.broadcast)).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  }

  /** Top-level messages with their replies, oldest first, grouped as Slack shows them. */
  threads(): FakeThread[] {
    return this.messages
      .filter((m) => !m.threadTs)
      .map((parent) => ({
        channel: parent.channel,
        channelName: parent.channelName,
        ts: parent.ts,
        parent,
        replies: this.messages.filter((m) => m.channel === parent.channel && m.threadTs === parent.ts),
      }));
  }
}
