// The local Functions host: serves the app's real `@azure/functions` registrations over
// node:http and runs its timers, standing in for Core Tools (which cannot be installed offline).
export { installCoreShim, getCoreRegistry, type Registration, type FunctionMetadata, type BindingMetadata } from './coreShim';
export { loadLocalSettings, readHostBehaviour, type HostBehaviour, type LocalSettings } from './settings';
export { workerHttpInput, type HttpTriggerInput, type WorkerHttpInput, type WorkerHeaders } from './triggerMetadata';
export { loadFunctionApp, expandMain, type LoadedApp } from './loadApp';
export { compileRoute, RouteTable, type RouteMatch } from './routes';
export { nextOccurrence, parseSchedule, resolveBindingExpressions, type Schedule } from './schedule';
export { startLocalHost, describeFunctions, type LocalHost, type LocalHostOptions } from './startLocalHost';
export type { HostLogger } from './invocation';
