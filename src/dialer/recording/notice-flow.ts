/**
 * The recording notice in the call's state table: a playback of our own (`<channelId>-notice`) on the callee's
 * channel, in Stasis, before the call goes on (to the message or the dialplan) and before recording starts. With AMD
 * it plays on the entry AMD sends back, so the analysis hears the callee, not our notice.
 */
export interface NoticeRun {
  readonly media: string;
  state: 'pending' | 'playing' | 'done' | 'failed';
  reason?: string;
}

/** The notice's actions: play it; it is over (recording may start, or must not: `ok` false with the reason). */
export type NoticeAction = { type: 'notice'; playbackId: string; media: string } | { type: 'noticeOver'; ok: boolean; reason?: string };

export const noticePlaybackId = (channelId: string): string => `${channelId}-notice`;

export const newNotice = (media: string): NoticeRun => ({ media, state: 'pending' });

/** Starts the notice (once). */
export function startNotice(n: NoticeRun, channelId: string): NoticeAction[] {
  n.state = 'playing';
  return [{ type: 'notice', playbackId: noticePlaybackId(channelId), media: n.media }];
}

/** PlaybackFinished of our notice: `done`, or `failed` (the media did not play: nobody was told). */
export function noticeFinished(n: NoticeRun, playbackState: string | undefined): NoticeAction[] {
  if (n.state !== 'playing') return [];
  if (playbackState === 'failed') return noticeFailed(n, `the notice ${n.media} did not play (PlaybackFinished failed)`);
  n.state = 'done';
  return [{ type: 'noticeOver', ok: true }];
}

/** Asterisk refused the notice, or it never finished in time: the call goes on, unrecorded. */
export function noticeFailed(n: NoticeRun, reason: string): NoticeAction[] {
  if (n.state !== 'playing' && n.state !== 'pending') return [];
  n.state = 'failed';
  n.reason = reason;
  return [{ type: 'noticeOver', ok: false, reason: `not recorded: ${reason}` }];
}
