/**
 * The words every part of the system shares, defined once: the channels a person is reached on and
 * the categories a push belongs to (each category is capped in a class, see schemas/pushes.ts).
 */
import * as z from 'zod';

export const CHANNELS = ['wechat', 'sms'] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

/** `desk`: the service desk's answers to a citizen's own case (their own class: never held by the routine cap). */
export const PUSH_CATEGORIES = ['restriction', 'notice', 'transactional', 'emergency', 'desk'] as const;
export const PushCategorySchema = z.enum(PUSH_CATEGORIES);
export type PushCategory = z.infer<typeof PushCategorySchema>;
