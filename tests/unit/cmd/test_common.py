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

"""Tables, JSON, progress, configuration reading and pagination."""

import io
import json

import pytest

from ironic_multiarch.cmd import common


def test_table_aligns_columns_and_continues_multiline_cells():
    text = common.format_table(('A', 'LONGER'), [('x', 'one\ntwo'),
                                                 ('yyyy', None)])
    assert text == ('A     LONGER\n'
                    '----  ------\n'
                    'x     one\n'
                    '      two\n'
                    'yyyy\n')


def test_json_is_sorted_and_ends_with_newline():
    text = common.format_json({'b': 1, 'a': [1, 2]})
    assert text.endswith('\n')
    assert list(json.loads(text)) == ['a', 'b']
    assert text.index('"a"') < text.index('"b"')


def test_progress_silent_when_not_a_terminal():
    stream = io.StringIO()
    progress = common.Progress(stream)
    progress.update('listed 10 nodes')
    progress.done()
    assert stream.getvalue() == ''


def test_progress_on_terminal_rewrites_one_line():
    stream = io.StringIO()
    progress = common.Progress(stream, enabled=True)
    progress.update('a')
    progress.update('b')
    progress.done()
    assert stream.getvalue() == '\r\x1b[Ka\r\x1b[Kb\r\x1b[K'


def test_load_context_reads_ironic_and_plugin_options(ctx):
    assert ctx.settings.tftp_server == '192.0.2.10'
    assert ctx.settings.http_url == 'http://192.0.2.10:8080'
    assert ctx.default_boot_mode == 'uefi'
    assert ctx.extra_kernel_params('deploy') == (
        'ipa-api-url=http://192.0.2.1:6385',)
    assert ctx.extra_kernel_params('instance') == ()


def test_load_context_keeps_config_error(tmp_path):
    path = tmp_path / 'bad.conf'
    path.write_text('[multiarch]\nenabled_architectures = riscv64\n')
    ctx = common.load_context([str(path)])
    assert ctx.settings is None and 'riscv64' in str(ctx.error)
    with pytest.raises(common.UsageError, match='riscv64'):
        ctx.require_settings()


def test_config_files_unreadable_is_usage_error(tmp_path):
    with pytest.raises(common.UsageError, match='cannot read'):
        common.config_files([str(tmp_path / 'missing.conf')])


class FakeResponse(object):
    def __init__(self, status, body):
        self.status_code = status
        self._body = body
        self.text = json.dumps(body)

    def json(self):
        return self._body


class FakeAdapter(object):
    """Serves ``/nodes`` pages the way Ironic does (``next`` when full)."""

    def __init__(self, total, max_limit=1000):
        self.items = [{'uuid': '%08d' % i} for i in range(total)]
        self.max_limit = max_limit
        self.calls = []

    def get(self, url, params=None, microversion=None, raise_exc=True):
        self.calls.append((url, dict(params or {})))
        if params is None:  # a next link carries its own query
            marker = url.split('marker=')[1].split('&')[0]
            limit = int(url.split('limit=')[1].split('&')[0])
            start = [i['uuid'] for i in self.items].index(marker) + 1
        else:
            limit, start = int(params['limit']), 0
        limit = min(limit, self.max_limit)
        page = self.items[start:start + limit]
        body = {'nodes': page}
        if len(page) == limit:
            body['next'] = ('http://ironic/v1/nodes?limit=%d&marker=%s'
                            % (limit, page[-1]['uuid']))
        return FakeResponse(200, body)


class FakeConn(object):
    def __init__(self, adapter):
        self.baremetal = adapter


@pytest.mark.parametrize('total,page,requests', [
    (1000, 300, 4), (999, 1000, 1), (1000, 1000, 2), (0, 50, 1),
    (2500, 5000, 3),  # the server caps the limit at 1000
])
def test_list_all_follows_next_links_only(total, page, requests):
    adapter = FakeAdapter(total)
    items = common.list_all(FakeConn(adapter), 'nodes', ('uuid',), page)
    assert len(items) == total
    assert len({i['uuid'] for i in items}) == total
    assert len(adapter.calls) == requests
    assert adapter.calls[0][1] == {'fields': 'uuid', 'limit': page}


def test_api_get_404_is_usage_error():
    class Adapter(object):
        def get(self, url, **kwargs):
            return FakeResponse(404, {'error_message': json.dumps(
                {'faultstring': 'Node x could not be found.'})})

    with pytest.raises(common.UsageError, match='Node x could not be found'):
        common.api_get(FakeConn(Adapter()), '/nodes/x')
