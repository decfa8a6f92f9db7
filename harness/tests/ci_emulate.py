"""ci_emulate.py - runs the shell steps of the CI templates in
examples/ci/ as the CI services would, for test_ci_templates.py.

Where it sits: the templates are what a vendor copies into a repository;
this executes them against the built tree instead (torc's source is the
checkout, $TORC_SRC; `make` there finds it built under $O), one folder per
job, with artifacts copied between jobs through a store.  What is not
shell is emulated only as far as the templates use it, and anything else
is an error, so a template cannot grow a step no test runs:
  GitHub Actions: jobs in needs-order, strategy.matrix expanded, env,
    run: steps under bash -eo pipefail with ${{ matrix.X }} replaced and
    $GITHUB_PATH honoured, if: always(), and the actions checkout (the
    tree is already there), upload-artifact, download-artifact (pattern,
    merge-multiple) and mikepenz/action-junit-report (the file parses);
  GitLab CI: stages in order, variables, default.before_script + script
    as one bash -eo pipefail script, parallel: N (CI_NODE_INDEX,
    CI_NODE_TOTAL), artifacts (paths, when, reports.junit) passed to the
    jobs of later stages.
"""
import fnmatch
import glob
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import yaml

EXPR = re.compile(r"\$\{\{\s*matrix\.([A-Za-z_]+)\s*\}\}")


class JobRun:
    def __init__(self, name, workdir):
        self.name, self.workdir = name, workdir
        self.ok, self.log, self.skipped = True, [], False


def _copy_paths(src_dir, patterns, dest):
    """Copies what the glob patterns (relative to src_dir) name to dest."""
    n = 0
    for pat in patterns:
        for p in sorted(glob.glob(os.path.join(src_dir, pat.rstrip("/")))):
            rel = os.path.relpath(p, src_dir)
            target = os.path.join(dest, rel)
            if os.path.isdir(p):
                shutil.copytree(p, target, dirs_exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(p, target)
            n += 1
    return n


def _bash(script, cwd, env, log):
    p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                        "-c", script], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=600)
    log.append((script, p.returncode, p.stdout, p.stderr))
    return p.returncode


class GitHub:
    def __init__(self, path, root, env, overrides):
        self.doc = yaml.safe_load(open(path))
        self.root, self.base_env, self.overrides = root, env, overrides
        self.runs = []

    def _job_order(self):
        jobs = self.doc["jobs"]
        done, order = set(), []
        while len(order) < len(jobs):
            for name, j in jobs.items():
                needs = j.get("needs", [])
                needs = [needs] if isinstance(needs, str) else needs
                if name not in done and all(n in done for n in needs):
                    order.append(name)
                    done.add(name)
        return order

    def run(self, tmp):
        store = os.path.join(tmp, "artifacts")
        os.makedirs(store)
        for name in self._job_order():
            job = self.doc["jobs"][name]
            matrix = job.get("strategy", {}).get("matrix", {})
            combos = [{}]
            for k, vals in matrix.items():
                combos = [dict(c, **{k: v}) for c in combos for v in vals]
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            failed = [r for r in self.runs if r.job in needs and not r.ok]
            for m in combos:
                if failed:  # GitHub skips a job whose needs failed
                    r = JobRun(name, None)
                    r.ok, r.skipped, r.job = False, True, name
                    self.runs.append(r)
                    continue
                self.runs.append(self._run_job(name, job, m, tmp, store))
        return self.runs

    def _run_job(self, name, job, m, tmp, store):
        tag = name + "".join("-%s" % v for v in m.values())
        r = JobRun(tag, os.path.join(tmp, tag))
        r.job = name
        os.makedirs(r.workdir)
        gh_path = os.path.join(tmp, tag + ".path")
        open(gh_path, "w").close()
        env = dict(self.base_env)
        env.update({k: str(v) for k, v in self.doc.get("env", {}).items()})
        env.update({k: str(v) for k, v in job.get("env", {}).items()})
        env.update(self.overrides)
        env["GITHUB_PATH"] = gh_path
        sub = lambda s: EXPR.sub(lambda x: str(m[x.group(1)]), str(s))
        for step in job["steps"]:
            if not r.ok and step.get("if") != "always()":
                continue
            if "run" in step:
                script = sub(step["run"])
                if "${{" in script:
                    raise ValueError("%s: unsupported expression in %r"
                                     % (tag, script))
                extra = [l for l in open(gh_path).read().splitlines() if l]
                env["PATH"] = os.pathsep.join(extra[::-1] + [
                    self.base_env["PATH"]])
                if _bash(script, r.workdir, env, r.log) != 0:
                    r.ok = False
                extra = [l for l in open(gh_path).read().splitlines() if l]
                env["PATH"] = os.pathsep.join(extra[::-1] + [
                    self.base_env["PATH"]])
            else:
                self._action(step, sub, r, store)
        return r

    def _action(self, step, sub, r, store):
        uses = step["uses"].split("@")[0]
        w = {k: sub(v) for k, v in step.get("with", {}).items()}
        if uses == "actions/checkout":
            return
        if uses == "actions/upload-artifact":
            dest = os.path.join(store, w["name"])
            if _copy_paths(r.workdir, w["path"].split(), dest) == 0:
                r.ok = False
                r.log.append(("upload " + w["name"], 1, "", "no files"))
        elif uses == "actions/download-artifact":
            assert w.get("merge-multiple") in ("True", "true"), w
            for a in sorted(os.listdir(store)):
                if fnmatch.fnmatch(a, w["pattern"]):
                    shutil.copytree(os.path.join(store, a), r.workdir,
                                    dirs_exist_ok=True)
        elif uses == "mikepenz/action-junit-report":
            ET.parse(os.path.join(r.workdir, w["report_paths"]))
        else:
            raise ValueError("%s: action %s is not emulated" % (r.name, uses))


GITLAB_RESERVED = {"image", "variables", "stages", "default", "include",
                   "workflow", "services", "before_script", "after_script"}


class GitLab:
    def __init__(self, path, root, env, overrides):
        self.doc = yaml.safe_load(open(path))
        self.root, self.base_env, self.overrides = root, env, overrides
        self.runs = []

    def run(self, tmp):
        jobs = {k: v for k, v in self.doc.items()
                if k not in GITLAB_RESERVED and not k.startswith(".")}
        before = self.doc.get("default", {}).get("before_script", [])
        earlier = []  # artifact folders of the jobs of earlier stages
        for stage in self.doc["stages"]:
            produced = []
            for name, job in jobs.items():
                if job.get("stage") != stage:
                    continue
                n = int(job.get("parallel", 1))
                for i in range(1, n + 1):
                    tag = "%s-%d" % (name, i) if n > 1 else name
                    r = JobRun(tag, os.path.join(tmp, tag))
                    os.makedirs(r.workdir)
                    for a in earlier:
                        shutil.copytree(a, r.workdir, dirs_exist_ok=True)
                    env = dict(self.base_env)
                    env.update({k: str(v) for k, v in
                                self.doc.get("variables", {}).items()})
                    env.update(self.overrides)
                    if n > 1:
                        env.update(CI_NODE_INDEX=str(i), CI_NODE_TOTAL=str(n))
                    script = "\n".join(job.get("before_script", before) +
                                       job["script"])
                    r.ok = _bash(script, r.workdir, env, r.log) == 0
                    art = job.get("artifacts", {})
                    if r.ok or art.get("when") == "always":
                        dest = os.path.join(tmp, "artifacts", tag)
                        _copy_paths(r.workdir, art.get("paths", []), dest)
                        junit = art.get("reports", {}).get("junit")
                        if junit:
                            ET.parse(os.path.join(r.workdir, junit))
                            _copy_paths(r.workdir, [junit], dest)
                        produced.append(dest)
                    self.runs.append(r)
            earlier += produced
        return self.runs
