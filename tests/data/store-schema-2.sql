-- A releasekit SQLite store at schema 2, as releasekit wrote it before events recorded the
-- digest of their state (sqlite3 .dump of the file). It holds release 2.4.0 (7 events: refused,
-- then deployed to tests and tested there), adjustment-1 (requested, verified by ivan and maria,
-- executed through dt), adjustment-2 (cancelled) and restore-1 (production into sandbox-anton).
PRAGMA application_id = 1380673908;
PRAGMA user_version = 2;
BEGIN TRANSACTION;
CREATE TABLE events (
            stream   TEXT    NOT NULL,
            seq      INTEGER NOT NULL CHECK (seq > 0),
            at       TEXT    NOT NULL,
            actor    TEXT    NOT NULL,
            action   TEXT    NOT NULL,
            source   TEXT,
            target   TEXT,
            reason   TEXT    NOT NULL,
            data     TEXT    NOT NULL,
            previous TEXT    NOT NULL,
            digest   TEXT    NOT NULL,
            PRIMARY KEY (stream, seq)
        );
INSERT INTO "events" VALUES('2.4.0',1,'2026-11-27T10:00:00+00:00','anton','started',NULL,'sandbox-anton','','{"release":{"artifact":{"functions":["quote","chart"],"migrations":[],"new_functionality":["chart"]},"created_at":"2026-11-27T10:00:00+00:00","created_by":"anton","evidence":[],"id":"2.4.0","kind":"normal","moves":[],"state":"sandbox-anton","version":"2.4.0"}}','','052d27cb155be1aac3a90822a6df049bdf223d4f506041a1f4b89712109a482c');
INSERT INTO "events" VALUES('2.4.0',2,'2026-11-27T10:00:00+00:00','anton','refused','sandbox-anton','tests','release 2.4.0 may not move from sandbox-anton to tests (1 reason): new functionality of 2.4.0 has no new automatic tests: chart','{"blockers":[{"code":"new-tests-written","earliest":null,"evidence":"tests-written","hint":"write tests covering it and record them as TestsWritten(covers=[...])","message":"new functionality of 2.4.0 has no new automatic tests: chart","reason":"missing","source":"sandbox-anton","target":"tests","unblocked_by":["anton"]}]}','052d27cb155be1aac3a90822a6df049bdf223d4f506041a1f4b89712109a482c','4990b69901fdbe04b8801aa18f0a0a38db5e45eb0d79bc44d96aaff80e993b0f');
INSERT INTO "events" VALUES('2.4.0',3,'2026-11-27T10:05:00+00:00','anton','evidence-recorded',NULL,NULL,'','{"evidence":[{"at":"2026-11-27T10:05:00+00:00","by":"anton","covers":["chart"],"note":"","tests":[],"type":"TestsWritten"}]}','4990b69901fdbe04b8801aa18f0a0a38db5e45eb0d79bc44d96aaff80e993b0f','89b45650fd50d7c901a14842318b61161c8f00e69b3a3e54e582cde51044f630');
INSERT INTO "events" VALUES('2.4.0',4,'2026-11-27T10:05:00+00:00','anton','step-started','sandbox-anton','tests','deploy 2.4.0 to tests','{"attempt":{"by":"anton","capability":"deploy","detail":"deploy 2.4.0 to tests","environment":"tests","id":"2.4.0/4","started_at":"2026-11-27T10:05:00+00:00","target":"tests"}}','89b45650fd50d7c901a14842318b61161c8f00e69b3a3e54e582cde51044f630','3cc18607879bb7d3e719e2029b4323b25a758cfd3e59eb7113077a274e08ac06');
INSERT INTO "events" VALUES('2.4.0',5,'2026-11-27T10:05:00+00:00','anton','step-finished','sandbox-anton','tests','dry run: would deploy 2.4.0 to tests','{"attempt_id":"2.4.0/4","evidence":[],"move":{"at":"2026-11-27T10:05:00+00:00","by":"anton","source":"sandbox-anton","target":"tests"},"output":""}','3cc18607879bb7d3e719e2029b4323b25a758cfd3e59eb7113077a274e08ac06','3e9c3d0716e7b5697fc0b773263acf09a2d92f332b7d03ed38073aa08e476188');
INSERT INTO "events" VALUES('2.4.0',6,'2026-11-27T10:05:00+00:00','ci','step-started','tests',NULL,'run the automatic tests of 2.4.0 on tests','{"attempt":{"by":"ci","capability":"run-tests","detail":"run the automatic tests of 2.4.0 on tests","environment":"tests","id":"2.4.0/6","started_at":"2026-11-27T10:05:00+00:00","target":null}}','3e9c3d0716e7b5697fc0b773263acf09a2d92f332b7d03ed38073aa08e476188','214e65225353399264c70ea9a6d8256b4477877400890ea00705ff1e7262c16e');
INSERT INTO "events" VALUES('2.4.0',7,'2026-11-27T10:05:00+00:00','ci','step-finished','tests','tests','dry run: would run the automatic tests against 2.4.0 on tests (its data was erased by the run)','{"attempt_id":"2.4.0/6","evidence":[{"at":"2026-11-27T10:05:00+00:00","by":"ci","environment":"tests","passed":true,"scheduled":false,"summary":"dry run: would run the automatic tests against 2.4.0 on tests","type":"TestRun","version":"2.4.0"}],"move":null,"output":""}','214e65225353399264c70ea9a6d8256b4477877400890ea00705ff1e7262c16e','2321bb2f04c0f717aa8d8053be726bf34a9cc54b8cc71df34787467bce628c6e');
INSERT INTO "events" VALUES('data:adjustment-1',1,'2026-11-27T10:05:00+00:00','olga','data-operation',NULL,'requested','IEX sent a wrong close','{"arguments":["AAPL","187.20"],"environment":"production","fingerprint":"94341190a20aeb36cc72dd01f0f346f5026313ba982bd1da976906166a952a56","kind":"adjustment","operation":"fix-close","step":"requested"}','','bc8a9c9e56146e9dbb3d75b32d8dcaf282399b26ec877b41d5214b67b0b188d7');
INSERT INTO "events" VALUES('data:adjustment-1',2,'2026-11-27T10:05:00+00:00','ivan','data-operation','requested','requested','checked','{"counted":1,"environment":"production","fingerprint":"94341190a20aeb36cc72dd01f0f346f5026313ba982bd1da976906166a952a56","kind":"adjustment","note":"checked","step":"verified"}','bc8a9c9e56146e9dbb3d75b32d8dcaf282399b26ec877b41d5214b67b0b188d7','68abd8f9926557eed68c083b726134b61adaca9fb222adafe594e66e51bd2972');
INSERT INTO "events" VALUES('data:adjustment-1',3,'2026-11-27T10:05:00+00:00','maria','data-operation','requested','requested','verification 2 of 2','{"counted":2,"environment":"production","fingerprint":"94341190a20aeb36cc72dd01f0f346f5026313ba982bd1da976906166a952a56","kind":"adjustment","note":"","step":"verified"}','68abd8f9926557eed68c083b726134b61adaca9fb222adafe594e66e51bd2972','4ec5d2e6e94cdf467bce354f756dfdb9e7c969dad9b5f0f78d411aef873829bc');
INSERT INTO "events" VALUES('data:adjustment-1',4,'2026-11-27T10:05:00+00:00','data-operator','data-operation','requested','running','run `dt data adjust production fix-close AAPL 187.20`','{"environment":"production","fingerprint":"94341190a20aeb36cc72dd01f0f346f5026313ba982bd1da976906166a952a56","kind":"adjustment","step":"started","verifiers":["ivan","maria"]}','4ec5d2e6e94cdf467bce354f756dfdb9e7c969dad9b5f0f78d411aef873829bc','af208fa8bd9ded67934ab7358723a3c7fc60e09e836cbfd65be8dc4f0a1ca917');
INSERT INTO "events" VALUES('data:adjustment-1',5,'2026-11-27T10:05:00+00:00','data-operator','data-operation','running','executed','`dt data adjust production fix-close AAPL 187.20` succeeded','{"environment":"production","kind":"adjustment","output":"dt line 1: data adjust production fix-close AAPL 187.20\n","status":"succeeded","step":"executed"}','af208fa8bd9ded67934ab7358723a3c7fc60e09e836cbfd65be8dc4f0a1ca917','1a36d47b5feffcc50e20a2ee6d997dd818652af3d4da6e6a443334b44478fcca');
INSERT INTO "events" VALUES('data:adjustment-2',1,'2026-11-27T10:05:00+00:00','olga','data-operation',NULL,'requested','typo','{"arguments":["MSFT"],"environment":"production","fingerprint":"4bacdcc0f37a7fa215c594664736e9d9dc9618b24c78d6adbee01db143a78076","kind":"adjustment","operation":"fix-open","step":"requested"}','','7ec600fa53d11c6c58c669cc48b1e6cf5f9b69b57978a1d7a422dbf6d88d964e');
INSERT INTO "events" VALUES('data:adjustment-2',2,'2026-11-27T10:05:00+00:00','olga','data-operation','requested','cancelled','not needed','{"environment":"production","kind":"adjustment","step":"cancelled"}','7ec600fa53d11c6c58c669cc48b1e6cf5f9b69b57978a1d7a422dbf6d88d964e','e2bb48f3233e8003fa47e11f2a96b38eb2c9894f712dfe96a66e65d205919432');
INSERT INTO "events" VALUES('data:restore-1',1,'2026-11-27T10:05:00+00:00','anton','data-operation',NULL,'running','reproduce','{"environment":"sandbox-anton","kind":"restore","source":"production","step":"started"}','','328b598906242e0cb188ce3e6aa6db74b062fc71bc5b09f0728646ba46b1c6c2');
INSERT INTO "events" VALUES('data:restore-1',2,'2026-11-27T10:05:00+00:00','anton','data-operation','running','executed','dry run: would restore the data of production into sandbox-anton','{"environment":"sandbox-anton","kind":"restore","output":"","status":"succeeded","step":"executed"}','328b598906242e0cb188ce3e6aa6db74b062fc71bc5b09f0728646ba46b1c6c2','365a7d561e1486a306e26875264b339147602e1e32f1b801b971cae3b04f2ae1');
CREATE TABLE leases (
            name    TEXT NOT NULL PRIMARY KEY,
            owner   TEXT NOT NULL,
            since   TEXT NOT NULL,
            expires TEXT NOT NULL
        );
CREATE TABLE streams (
            stream   TEXT    NOT NULL PRIMARY KEY,
            revision INTEGER NOT NULL CHECK (revision > 0),
            head     TEXT    NOT NULL,
            snapshot TEXT    NOT NULL
        );
INSERT INTO "streams" VALUES('2.4.0',7,'2321bb2f04c0f717aa8d8053be726bf34a9cc54b8cc71df34787467bce628c6e','{"attempt":null,"attention":[],"release":{"artifact":{"functions":["quote","chart"],"migrations":[],"new_functionality":["chart"]},"created_at":"2026-11-27T10:00:00+00:00","created_by":"anton","evidence":[{"at":"2026-11-27T10:05:00+00:00","by":"anton","covers":["chart"],"note":"","tests":[],"type":"TestsWritten"},{"at":"2026-11-27T10:05:00+00:00","by":"ci","environment":"tests","passed":true,"scheduled":false,"summary":"dry run: would run the automatic tests against 2.4.0 on tests","type":"TestRun","version":"2.4.0"}],"id":"2.4.0","kind":"normal","moves":[{"at":"2026-11-27T10:05:00+00:00","by":"anton","source":"sandbox-anton","target":"tests"}],"state":"tests","version":"2.4.0"}}');
INSERT INTO "streams" VALUES('data:adjustment-1',5,'1a36d47b5feffcc50e20a2ee6d997dd818652af3d4da6e6a443334b44478fcca','{"id":"adjustment-1","kind":"adjustment","environment":"production","operation":"fix-close","arguments":["AAPL","187.20"],"source":null,"requested_by":"olga","requested_at":"2026-11-27T10:05:00+00:00","reason":"IEX sent a wrong close","status":"executed","verifications":[{"by":"ivan","at":"2026-11-27T10:05:00+00:00","fingerprint":"94341190a20aeb36cc72dd01f0f346f5026313ba982bd1da976906166a952a56","note":"checked","voided":false},{"by":"maria","at":"2026-11-27T10:05:00+00:00","fingerprint":"94341190a20aeb36cc72dd01f0f346f5026313ba982bd1da976906166a952a56","note":"","voided":false}],"executed_by":"data-operator","finished_at":"2026-11-27T10:05:00+00:00","summary":"`dt data adjust production fix-close AAPL 187.20` succeeded","command":["dt","data","adjust","production","fix-close","AAPL","187.20"]}');
INSERT INTO "streams" VALUES('data:adjustment-2',2,'e2bb48f3233e8003fa47e11f2a96b38eb2c9894f712dfe96a66e65d205919432','{"id":"adjustment-2","kind":"adjustment","environment":"production","operation":"fix-open","arguments":["MSFT"],"source":null,"requested_by":"olga","requested_at":"2026-11-27T10:05:00+00:00","reason":"typo","status":"cancelled","verifications":[],"executed_by":null,"finished_at":"2026-11-27T10:05:00+00:00","summary":"not needed","command":[]}');
INSERT INTO "streams" VALUES('data:restore-1',2,'365a7d561e1486a306e26875264b339147602e1e32f1b801b971cae3b04f2ae1','{"id":"restore-1","kind":"restore","environment":"sandbox-anton","operation":"restore","arguments":[],"source":"production","requested_by":"anton","requested_at":"2026-11-27T10:05:00+00:00","reason":"reproduce","status":"executed","verifications":[],"executed_by":"anton","finished_at":"2026-11-27T10:05:00+00:00","summary":"dry run: would restore the data of production into sandbox-anton","command":[]}');
CREATE TRIGGER events_are_append_only_on_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END;
CREATE TRIGGER events_are_append_only_on_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'releasekit histories are append-only'); END;
CREATE VIEW appends AS
        SELECT e.stream, e.seq, e.at, e.actor, e.action, e.source, e.target, e.reason,
               e.data, e.previous, e.digest, s.snapshot
        FROM events AS e JOIN streams AS s ON s.stream = e.stream;
CREATE TRIGGER appends_advance INSTEAD OF INSERT ON appends
        BEGIN
            UPDATE streams SET revision = NEW.seq, head = NEW.digest, snapshot = NEW.snapshot
            WHERE stream = NEW.stream AND revision = NEW.seq - 1 AND head = NEW.previous;
            SELECT RAISE(ABORT, 'releasekit: the stream is not at the revision the writer saw')
            WHERE changes() = 0;
            INSERT INTO events (stream, seq, at, actor, action, source, target, reason, data,
                                previous, digest)
            VALUES (NEW.stream, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.source,
                    NEW.target, NEW.reason, NEW.data, NEW.previous, NEW.digest);
        END;
COMMIT;
