/**
 * The `driver-drops` queue: an object created in the driver-drops bucket (the platform's nightly
 * JSON Lines). Read, ingested 500 events at a time through the same use case as the signed route
 * (functions/core/drivers/ingest.ts ingestJsonLines), per-event results written to
 * results/<name>.json. Only counts are logged.
 */
import { createdObjects, S3NotificationSchema } from '../adapters/s3/drops.ts';
import { ingestJsonLines } from '../core/drivers/ingest.ts';
import { logger } from '../shared/powertools.ts';
import { queueHandler } from '../shared/queue.ts';
import { dropDeps } from '../shared/wiring/driver-ingest.ts';

const deps = dropDeps();

export const handler = queueHandler({
  schema: S3NotificationSchema,
  retrying: 'the drop will be read again (events are idempotent)',
  record: async (notification) => {
    for (const object of createdObjects(notification)) {
      if (object.key.startsWith('results/')) continue;
      const answer = await ingestJsonLines(
        await deps.drops.read(object.bucket, object.key),
        await deps.ingest(),
      );
      await deps.drops.writeResults(object.bucket, object.key, answer);
      const { accepted, duplicate, stale, invalid } = answer;
      logger.info('driver drop ingested', {
        lines: answer.results.length,
        accepted,
        duplicate,
        stale,
        invalid,
      });
    }
  },
});
