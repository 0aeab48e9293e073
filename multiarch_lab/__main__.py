# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""``python -m multiarch_lab`` (``tools/lab.sh``).

``tools/lab.sh [netboot] ...`` netboots a small hybrid fleet to a marker;
``tools/lab.sh lifecycle ...`` takes one through its whole life with real
BMCs and a real deploy ramdisk (:mod:`multiarch_lab.lifecycle_run`).
"""

import argparse
import shutil
import sys
import tempfile

from multiarch_lab import fleet


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ['lifecycle']:
        from multiarch_lab import lifecycle_run
        return lifecycle_run.main(argv[1:])
    if argv[:1] == ['netboot']:
        argv = argv[1:]
    parser = argparse.ArgumentParser(
        prog='tools/lab.sh',
        description='Enroll a small hybrid fleet (aarch64 UEFI, x86_64 '
                    'BIOS and UEFI, PXE and iPXE) in a real standalone '
                    'Ironic, serve it with dnsmasq in a network namespace '
                    'and netboot each node as a QEMU machine; print what '
                    'each node booted and how long it took.')
    parser.add_argument('--workdir', help='keep everything here (default: '
                        'a temporary directory, removed at the end)')
    parser.add_argument('--node', action='append', choices=sorted(
        fleet.FLEET), help='boot only this node (repeatable)')
    parser.add_argument('--parallel', type=int, default=2,
                        help='machines booting at once (default: 2)')
    parser.add_argument('--timeout', type=int, default=150,
                        help='seconds per boot (default: 150)')
    args = parser.parse_args(argv)
    nodes = ({n: fleet.FLEET[n] for n in args.node} if args.node
             else fleet.FLEET)
    workdir = args.workdir or tempfile.mkdtemp(prefix='multiarch-lab-')
    try:
        return fleet.run(workdir, nodes, parallel=args.parallel,
                         timeout=args.timeout)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
