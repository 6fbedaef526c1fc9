import { NativeRootfsManager } from './native-rootfs.js';
import { rootfsManagerSuite } from '../rootfs-manager.case.js';

rootfsManagerSuite('native', async (root) => new NativeRootfsManager(root), { mounts: false });
