import { buildApp } from '#infra/app-builder.ts';

buildApp().app.synth();
