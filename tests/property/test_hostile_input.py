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

"""Hostile node fields: a clean plan or a clear error, never a bent file.

At least 10,000 generated cases per run (the three planner properties
below run 4,000 each).
"""

import posixpath
import re

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ironic_multiarch import exception
from ironic_multiarch import plan as planner
from ironic_multiarch import render
from tests import fleet
from tests.property import strategies as s

EXAMPLES = 4000
PROPERTY = hsettings(max_examples=EXAMPLES, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow])

PROFILES = fleet.PROFILES


SETTINGS = fleet.settings()

facts = st.builds(
    lambda uuid, arch, mode, macs, cid, info, ipxe, name, pmode: (
        planner.NodeFacts(
            uuid=uuid, cpu_arch=arch, boot_mode=mode,
            ports=tuple(planner.Port(m, cid) for m in macs),
            mode=pmode, driver_info={k: v for k, v in info.items()
                                     if v is not None},
            ipxe=ipxe, name=name,
            extra_kernel_params=('ipa-api-url=http://192.0.2.10:6385',))),
    s.uuid, s.cpu_arch, s.boot_mode, st.lists(s.mac, max_size=3), s.client_id,
    st.fixed_dictionaries({'deploy_kernel': s.href, 'deploy_ramdisk': s.href,
                           'rescue_kernel': s.href,
                           'kernel_append_params': s.kernel_params}),
    st.booleans(), s.name, st.sampled_from(['deploy', 'rescue']))


def _plan_or_error(node):
    """Plan ``node``; an error must be a clear PlanError or None."""
    try:
        return planner.plan(node, SETTINGS, PROFILES)
    except exception.PlanError as exc:
        message = str(exc)
        assert message.startswith('Node '), message
        assert exc.option, message
        assert 'Set %s' % exc.option in message
        assert 'for example' in message or exc.example is None
        return None


def _skeleton(text):
    """The structure of a boot file: each line with node values masked."""
    return [re.sub(r'\S+', 'V', line) if i else line
            for i, line in enumerate(text.splitlines())]


def _reference(bp):
    """The file the same template gives for benign values."""
    template = render.template_for(SETTINGS, bp.arch, bp.config_format)
    return render.render(template.value, bp.config_format,
                         label=render.LABELS[bp.mode], kernel='/k',
                         ramdisk='/r', kernel_params=bp.kernel_params.value,
                         timeout=SETTINGS.menu_timeout,
                         bootif=bp.mode != 'instance')


@PROPERTY
@given(facts)
def test_plans_cleanly_or_raises_a_clear_error(node):
    _plan_or_error(node)


@PROPERTY
@given(facts)
def test_no_value_changes_the_structure_of_a_boot_file(node):
    bp = _plan_or_error(node)
    if bp is None:
        return
    text = bp.config_text
    assert all(ch == '\n' or ch >= ' ' for ch in text)
    assert not re.search('[\'"\\\\`;]', text.replace(
        'menuentry "%s"' % render.LABELS[bp.mode], ''))
    reference = _reference(bp)
    assert len(text.splitlines()) == len(reference.splitlines())
    for got, want in zip(text.splitlines(), reference.splitlines()):
        # same keyword at the start of every line, same number of words
        assert got.split()[:1] == want.split()[:1], (got, want)
        assert len(got.split()) == len(want.split()), (got, want)
    # every kernel argument is one word made of safe characters only
    for arg in bp.kernel_params.value.split(' '):
        assert re.match(r'^[A-Za-z0-9_.,:/=@%+~\[\]-]+$', arg), arg
    # '$' only in the firmware's own variables, braces only the template's
    dollars = re.findall(r'\$\{?[A-Za-z_]*\}?', text)
    assert set(dollars) <= {'${net_default_mac}', '${mac}', '${i}',
                            '${attempts}'}, dollars


@PROPERTY
@given(facts)
def test_no_path_leaves_its_root(node):
    bp = _plan_or_error(node)
    if bp is None:
        return
    paths = [bp.config_path, bp.kernel_path, bp.ramdisk_path]
    paths += list(bp.links) + [p for _, p in bp.stale_links]
    paths += [f.path for f in bp.loader_files]
    if bp.bootfile:
        paths.append(bp.bootfile)
    for path in paths:
        norm = posixpath.normpath(path)
        assert norm == path, path
        assert not path.startswith(('/', '../')) and path != '..', path
        assert '\x00' not in path and '\n' not in path
    assert bp.config_path == bp.node + '/config'
    for opt in bp.dhcp_options:
        assert re.match(r'^(tag:!?[a-z0-9]+,)?[0-9]+$', opt['opt_name']), opt
        assert re.match(r'^[A-Za-z0-9_.:/-]+$', opt['opt_value']), opt
