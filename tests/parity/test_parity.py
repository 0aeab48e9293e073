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

"""Stock Ironic is the oracle: multiarch must leave behind what it leaves.

Every scenario of :mod:`tests.parity.scenarios` runs once through the
stock interface (``pxe``/``ipxe``) and once through the multiarch one on
an x86_64 node, where the architecture changes nothing. Each aspect is
its own test, so a known difference marks exactly one aspect:

* a deliberate architecture difference is normalised away in
  :mod:`tests.parity.normalise` and has a row in ``doc/parity.md``;
* a deploy kind the multiarch interfaces refuse (anaconda, iSCSI boot
  from volume, ``boot_iso``) is checked as a clean refusal;
* anything else that differs fails.
"""

import pytest

from tests.parity import harness
from tests.parity import normalise as norm
from tests.parity import scenarios

# --- aspects: what each run leaves behind ---------------------------

def _v(opts, version):
    return [o for o in opts if o[2] == version]


def _map_opts(run, fn):
    out = []
    for step in norm.dhcp_option_sets(run):
        out.append([call[:-1] + (fn(call[-1]),) for call in step])
    return out


def _kargs(run, sc, family):
    out = []
    for index, args in enumerate(norm.config_kernel_args(run,
                                                         sc.interface)):
        if not isinstance(args, list):
            out.append(args)
            continue
        args = norm.kernel_arg_family(args, family)
        if (family == 'bootif' and sc.steps[index][0] == 'prepare_ramdisk'
                and args == [norm.GRUB_BOOTIF]):
            # Deliberate: see doc/parity.md.
            args = []
        if (family == 'rest' and sc.deploy == 'ramdisk'
                and sc.steps[index][0] == 'prepare_instance'):
            # Deliberate: stock keeps what the deploy entry had for the
            # agent (see doc/parity.md); an instance is not the agent.
            args = [a for a in args if not a.startswith('ipa-api-url=')]
        out.append(args)
    return out


#: The interfaces that boot over UEFI HTTP.
HTTP_BOOT = ('multiarch-http', 'multiarch-http-ipxe')

ASPECTS = {
    'errors': lambda r, sc: norm.error(r),
    'dhcp-calls': lambda r, sc: norm.dhcp_calls(r),
    'dhcp-v4': lambda r, sc: _map_opts(r, lambda o: _v(o, 4)),
    'dhcp-v6': lambda r, sc: _map_opts(r, lambda o: _v(o, 6)),
    'dnsmasq-files': lambda r, sc: norm.dnsmasq_files(r),
    'boot-device': lambda r, sc: norm.boot_device_calls(r),
    'kargs': lambda r, sc: _kargs(r, sc, 'rest'),
    'kargs-request-id': lambda r, sc: _kargs(r, sc, 'request-id'),
    'kargs-template': lambda r, sc: _kargs(r, sc, 'template'),
    'kargs-bootif': lambda r, sc: _kargs(r, sc, 'bootif'),
    'files': lambda r, sc: norm.files(r, sc.interface),
    'boot-script': lambda r, sc: norm.boot_script_nics(r),
    'loader': lambda r, sc: [norm.loader_name(e[1]) for step in r.events
                             for e in step if e[0] == 'update_dhcp'],
}


#: Stock ``http`` writes its GRUB config in the TFTP root and cleans up
#: the HTTP root: the config outlives clean_up_ramdisk/clean_up_instance
#: and prepare_instance of a local boot, and a ramdisk instance fails.
STOCK_HTTP_LEAVES = ('clean_up_ramdisk', 'clean_up_instance',
                     'prepare_instance')


def _facts(aspect, run, sc):
    facts = ASPECTS[aspect](run, sc)
    if (sc.interface == 'multiarch-http'
            and aspect in ('kargs', 'kargs-request-id', 'kargs-template',
                           'kargs-bootif', 'files')):
        # Deliberate (doc/parity.md): compared after the steps that
        # write; 'http-leaves-nothing' checks the others.
        facts = [None if sc.steps[i][0] in STOCK_HTTP_LEAVES else f
                 for i, f in enumerate(facts)]
    return facts


def http_leaves_nothing(stock, multiarch, sc):
    """multiarch-http removes what stock http leaves in the TFTP root."""
    assert multiarch.error is None, multiarch.error
    for index, step in enumerate(sc.steps):
        if step[0] not in STOCK_HTTP_LEAVES:
            continue
        snap = multiarch.snapshots[index]
        names = [n for root in ('tftp', 'http') for n in snap[root]
                 if n.startswith(harness.NODE_UUID)]
        netboot = step[0] == 'prepare_instance' and (
            sc.deploy == 'ramdisk' or dict(sc.config).get(
                'pxe/enable_netboot_fallback'))
        if netboot:
            assert sorted(n for n in snap['http']
                          if n.startswith(harness.NODE_UUID)) == sorted(names)
            assert harness.NODE_UUID + '/config' in names
        else:
            assert names == [], names


def refused(stock, multiarch, sc):
    """Anaconda, iSCSI boot from volume and boot_iso are refused.

    Deliberately (doc/parity.md): at ``validate`` where the flow has it,
    else at the first step that would boot them, with nothing written by
    the refusing step, and never later than stock gets.
    """
    assert multiarch.error is not None, 'multiarch did not refuse'
    index, step, exc = multiarch.error
    assert exc == 'InvalidParameterValue', multiarch.error
    names = [s[0] for s in sc.steps]
    assert step == ('validate' if 'validate' in names else 'prepare_instance')
    assert multiarch.events[index] == [], multiarch.events[index]
    before = multiarch.snapshots[index - 1] if index else None
    if before is not None:
        assert multiarch.snapshots[index] == before
    assert stock.error is None or stock.error[0] >= index, stock.error


def aspects_for(sc):
    if (sc.deploy == 'anaconda' or sc.bfv or sc.boot_iso):
        return ['refused']
    if sc.interface in HTTP_BOOT and sc.boot_mode == 'bios':
        # Deliberate: BIOS firmware has no HTTP boot (doc/parity.md).
        return ['refused']
    if sc.interface == 'multiarch-http' and sc.deploy == 'ramdisk':
        # Deliberate: stock http cannot boot a ramdisk instance.
        return ['stock-http-ramdisk', 'http-leaves-nothing']
    names = ['errors', 'dhcp-calls', 'dhcp-v4', 'dhcp-v6',
             'boot-device', 'kargs',
             'kargs-request-id', 'kargs-template', 'kargs-bootif',
             'files']
    if sc.dhcp == 'dnsmasq':
        names.append('dnsmasq-files')
    if sc.interface in ('multiarch-ipxe', 'multiarch-http-ipxe'):
        names.append('boot-script')
    if sc.secure_boot:
        names.append('loader')
    if sc.interface == 'multiarch-http':
        names.append('http-leaves-nothing')
    return names


def _params():
    return [pytest.param(sc, aspect, id='%s-%s' % (sc.id, aspect))
            for sc in scenarios.SCENARIOS for aspect in aspects_for(sc)]


_RUNS = {}


def _runs(sc):
    if sc not in _RUNS:
        if sc.flow == 'service' and scenarios.SERVICING is None:
            pytest.skip('service steps need Ironic 2023.2 or later')
        _RUNS[sc] = (harness.run(sc, harness.STOCK[sc.interface]),
                     harness.run(sc, sc.interface))
    return _RUNS[sc]


@pytest.mark.parametrize('sc,aspect', _params())
def test_parity(sc, aspect):
    stock, multiarch = _runs(sc)
    if aspect == 'refused':
        refused(stock, multiarch, sc)
        return
    if aspect == 'http-leaves-nothing':
        http_leaves_nothing(stock, multiarch, sc)
        return
    if aspect == 'stock-http-ramdisk':
        # Stock switches a config in the HTTP root it wrote in the TFTP
        # root (doc/parity.md); multiarch-http boots the instance.
        assert stock.error is not None
        assert stock.error[1:] == ('prepare_instance', 'FileNotFoundError')
        assert multiarch.error is None, multiarch.error
        return
    assert _facts(aspect, stock, sc) == _facts(aspect, multiarch, sc)


def test_stock_oracle_works():
    """The oracle itself ran: stock deploy wrote a config and set PXE."""
    sc = scenarios.Scenario()
    stock, _ = _runs(sc)
    assert stock.error is None
    assert norm.config_kernel_args(stock, sc.interface)[1]
    assert ('boot_device', 'pxe', False) in stock.events[1]
