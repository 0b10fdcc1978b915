/**
 * Every ARI path of Asterisk 20 with its methods, taken from the swagger files (ari-api-docs/*.json). The simulator
 * routes with this tree the way res_ari.c does (explicit segment before `{wildcard}`), so an unknown path is 404
 * "Resource not found", a wrong method 405 "Invalid method", and a real path the simulator does not model 501.
 */
const PATHS = `
applications GET
applications/{applicationName} GET
applications/{applicationName}/eventFilter PUT
applications/{applicationName}/subscription DELETE,POST
asterisk/config/dynamic/{configClass}/{objectType}/{id} DELETE,GET,PUT
asterisk/info GET
asterisk/logging GET
asterisk/logging/{logChannelName} DELETE,POST
asterisk/logging/{logChannelName}/rotate PUT
asterisk/modules GET
asterisk/modules/{moduleName} DELETE,GET,POST,PUT
asterisk/ping GET
asterisk/variable GET,POST
bridges GET,POST
bridges/{bridgeId} DELETE,GET,POST
bridges/{bridgeId}/addChannel POST
bridges/{bridgeId}/moh DELETE,POST
bridges/{bridgeId}/play POST
bridges/{bridgeId}/play/{playbackId} POST
bridges/{bridgeId}/record POST
bridges/{bridgeId}/removeChannel POST
bridges/{bridgeId}/variable GET,POST
bridges/{bridgeId}/variables GET,POST
bridges/{bridgeId}/videoSource DELETE
bridges/{bridgeId}/videoSource/{channelId} POST
channels GET,POST
channels/create POST
channels/externalMedia POST
channels/{channelId} DELETE,GET,POST
channels/{channelId}/answer POST
channels/{channelId}/continue POST
channels/{channelId}/dial POST
channels/{channelId}/dtmf POST
channels/{channelId}/hold DELETE,POST
channels/{channelId}/moh DELETE,POST
channels/{channelId}/move POST
channels/{channelId}/mute DELETE,POST
channels/{channelId}/play POST
channels/{channelId}/play/{playbackId} POST
channels/{channelId}/progress POST
channels/{channelId}/record POST
channels/{channelId}/redirect POST
channels/{channelId}/ring DELETE,POST
channels/{channelId}/rtp_statistics GET
channels/{channelId}/silence DELETE,POST
channels/{channelId}/snoop POST
channels/{channelId}/snoop/{snoopId} POST
channels/{channelId}/transfer_progress POST
channels/{channelId}/variable GET,POST
channels/{channelId}/variables GET,POST
deviceStates GET
deviceStates/{deviceName} DELETE,GET,PUT
endpoints GET
endpoints/refer POST
endpoints/sendMessage PUT
endpoints/{tech} GET
endpoints/{tech}/{resource} GET
endpoints/{tech}/{resource}/refer POST
endpoints/{tech}/{resource}/sendMessage PUT
events GET
events/claim POST
events/user/{eventName} POST
mailboxes GET
mailboxes/{mailboxName} DELETE,GET,PUT
playbacks/{playbackId} DELETE,GET
playbacks/{playbackId}/control POST
recordings/live/{recordingName} DELETE,GET
recordings/live/{recordingName}/mute DELETE,POST
recordings/live/{recordingName}/pause DELETE,POST
recordings/live/{recordingName}/stop POST
recordings/stored GET
recordings/stored/{recordingName} DELETE,GET
recordings/stored/{recordingName}/copy POST
recordings/stored/{recordingName}/file GET
sounds GET
sounds/{soundId} GET
`;

interface Node {
  readonly children: Map<string, Node>;
  wildcard: { name: string; node: Node } | undefined;
  /** Template (`channels/{channelId}/continue`) and its methods, when a path ends here. */
  route: { template: string; methods: readonly string[] } | undefined;
}

function newNode(): Node {
  return { children: new Map(), wildcard: undefined, route: undefined };
}

const ROOT = newNode();
for (const line of PATHS.trim().split('\n')) {
  const [template = '', methods = ''] = line.split(' ');
  let node = ROOT;
  for (const segment of template.split('/')) {
    if (segment.startsWith('{')) {
      node.wildcard ??= { name: segment.slice(1, -1), node: newNode() };
      node = node.wildcard.node;
    } else {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = newNode()));
      node = child;
    }
  }
  node.route = { template, methods: methods.split(',') };
}

/** A path resolved against the ARI tree. */
export interface ResolvedPath {
  readonly template: string;
  readonly methods: readonly string[];
  /** Values of the `{wildcards}`, by name, URI-decoded. */
  readonly vars: Readonly<Record<string, string>>;
}

/** Resolves `channels/123/continue` (no leading slash) or returns undefined (404). */
export function resolveAriPath(path: string): ResolvedPath | undefined {
  let node = ROOT;
  const vars: Record<string, string> = {};
  for (const raw of path.split('/')) {
    const segment = safeDecode(raw);
    const child = node.children.get(segment);
    if (child) {
      node = child;
    } else if (node.wildcard) {
      vars[node.wildcard.name] = segment;
      node = node.wildcard.node;
    } else {
      return undefined;
    }
  }
  return node.route && { template: node.route.template, methods: node.route.methods, vars };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
