import { writableMountPoints } from './writable-mounts';

describe('writableMountPoints', () => {
  it('lists read-write file systems that hold files, once each, with escapes undone', () => {
    const mountinfo = [
      '22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw',
      '23 22 0:21 / /proc rw,nosuid - proc proc rw',
      '24 22 0:5 / /dev rw,nosuid - devtmpfs udev rw,mode=755',
      '25 24 0:23 / /dev/pts rw - devpts devpts rw,gid=5',
      '26 24 0:24 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw',
      '27 22 0:25 / /tmp rw,nosuid - tmpfs tmpfs rw',
      '28 22 8:1 / /boot ro,relatime - vfat /dev/mmcblk0p1 rw',
      '29 22 8:3 / /srv rw,relatime - ext4 /dev/sdb1 ro,errors=remount-ro',
      '30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
      '31 22 0:27 / /media/lab\\040disk rw shared:9 master:2 - ext4 /dev/sdc1 rw',
      '32 22 0:25 / /tmp rw,nosuid - tmpfs tmpfs rw',
      '33 24 0:28 / /dev/mqueue rw - mqueue mqueue rw',
      '',
    ].join('\n');
    expect(writableMountPoints(mountinfo)).toEqual([
      '/',
      '/dev',
      '/dev/shm',
      '/tmp',
      '/media/lab disk',
      '/dev/mqueue',
    ]);
  });
});
