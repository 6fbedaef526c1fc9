export * from './rootfs-manager.js';
export * from './rootfs-factory.js';
export * from './layer-store.js';
export * from './layer-scan.js';
export * from './layer-unpack.js';
export * from './chain-id.js';
export * from './compression.js';
export { OverlayRootfsManager } from './overlay/overlay-rootfs.js';
export { NativeRootfsManager } from './native/native-rootfs.js';
