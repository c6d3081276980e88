/**
 * The words every part of the system shares, defined once: the channels a person is reached on and
 * the categories a push belongs to (each category is capped in a class, see schemas/pushes.ts).
 */
import * as z from 'zod';

export const CHANNELS = ['wechat', 'sms'] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

export const PUSH_CATEGORIES = ['restriction', 'notice', 'transactional', 'emergency'] as const;
export const PushCategorySchema = z.enum(PUSH_CATEGORIES);
export type PushCategory = z.infer<typeof PushCategorySchema>;
