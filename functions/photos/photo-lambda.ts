import { createCloudServices } from '#functions/api/cloud-services.ts';
import { loadConfig } from '#functions/core/config.ts';
import { withLogContext } from '#functions/core/logger.ts';
import { createPhotoEventHandler } from './photo-events.ts';
import { configureSharpForPhotoProcessing } from './sharp-runtime.ts';

// Cloud entry point of the photo pipeline: S3 ObjectCreated on `uploads/` (through
// EventBridge) → the same completeUpload the local upload route runs in process, with the
// full services, so a photo that turns ready refreshes its product's readiness and coverage.
const config = loadConfig();
if (!config.photoBucket) throw new Error('Missing environment variable: PHOTO_BUCKET');

configureSharpForPhotoProcessing();
const services = await createCloudServices(config);

const handle = createPhotoEventHandler(services.photos.completeUpload, config.photoBucket);

export const handler = (event: Parameters<typeof handle>[0], context?: { awsRequestId?: string }) => withLogContext({ requestId: context?.awsRequestId }, () => handle(event));
