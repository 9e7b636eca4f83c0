import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { AuthUser, requireRole } from '@kapok/auth';
import {
  DEFAULT_QUICK_REPLIES,
  QUICK_REPLIES_MAX,
  QUICK_REPLY_MAX_CHARS,
  STATION_KEEPER_ROLES,
  type StationQuickReplies,
} from '@kapok/contracts';
import { OrgAccess } from '@kapok/org';
import { QuickReplyRepository } from '../quick-reply.repository';

/**
 * 常用语 of a station: read by everyone whose part of the tree holds the station (its operators first), kept by its
 * coordinators and admins for every workstation of the station. `phrases: null` returns to the default phrases.
 */
@Injectable()
export class StationQuickRepliesUseCase {
  constructor(
    private readonly replies: QuickReplyRepository,
    private readonly access: OrgAccess,
  ) {}

  async get(user: AuthUser, stationId: string): Promise<StationQuickReplies> {
    await this.ensureStation(user, stationId);
    const row = await this.replies.find(stationId);
    return row
      ? {
          stationId,
          phrases: row.phrases,
          custom: true,
          updatedAt: row.updated_at.toISOString(),
          updatedBy: { id: row.updated_by, name: row.updated_by_name },
        }
      : { stationId, phrases: [...DEFAULT_QUICK_REPLIES], custom: false, updatedAt: null, updatedBy: null };
  }

  async set(user: AuthUser, stationId: string, body: unknown): Promise<StationQuickReplies> {
    // (kept, as the station's rosters and routing settings, by its coordinators and admins)
    requireRole(user, STATION_KEEPER_ROLES, 'Keeping quick replies');
    const phrases = parsePhrases(body);
    await this.ensureStation(user, stationId);
    if (phrases === null) await this.replies.remove(stationId);
    else await this.replies.save(stationId, phrases, user.id);
    return this.get(user, stationId);
  }

  private async ensureStation(user: AuthUser, stationId: string): Promise<void> {
    if (!(await this.access.stationInScope(user, stationId))) throw new NotFoundException('Station not found');
  }
}

/** `{ phrases: string[] | null }`: each trimmed, empty ones and repeats dropped; refused naming what is wrong. */
export function parsePhrases(body: unknown): string[] | null {
  const b = (body ?? {}) as { phrases?: unknown };
  if (b.phrases === null) return null;
  if (!Array.isArray(b.phrases) || b.phrases.some((p) => typeof p !== 'string')) {
    throw new BadRequestException(['phrases: 请提供常用语列表 (an array of strings, or null for the defaults)']);
  }
  const phrases = [...new Set((b.phrases as string[]).map((p) => p.trim()).filter(Boolean))];
  if (phrases.length > QUICK_REPLIES_MAX) {
    throw new BadRequestException([`phrases: 最多 ${QUICK_REPLIES_MAX} 条 (at most ${QUICK_REPLIES_MAX})`]);
  }
  const long = phrases.findIndex((p) => [...p].length > QUICK_REPLY_MAX_CHARS);
  if (long >= 0) {
    throw new BadRequestException([
      `phrases[${long}]: 每条不超过 ${QUICK_REPLY_MAX_CHARS} 字 (at most ${QUICK_REPLY_MAX_CHARS} characters)`,
    ]);
  }
  return phrases;
}
