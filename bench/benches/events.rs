//! Criterion benches of the event parser and the event processor (`cargo bench -p
//! callsteer-bench`). `make bench` reports the driver's own numbers (bench/run.py); these give
//! the statistically careful view of the same code paths.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

fn participants_updated(index: usize) -> serde_json::Value {
    let participant = |raw: String| {
        json!({"identifier": {"kind": "communicationUser", "rawId": raw,
                              "communicationUser": {"id": raw}},
               "isMuted": false, "isOnHold": false})
    };
    let call = format!("{index:08}-1111-4222-8333-444444444444");
    json!({
        "id": format!("{index:08}-aaaa-4bbb-8ccc-dddddddddddd"),
        "source": format!("calling/callConnections/{call}"),
        "type": "Microsoft.Communication.ParticipantsUpdated",
        "specversion": "1.0", "datacontenttype": "application/json",
        "time": "2026-01-01T00:00:00.000Z",
        "subject": format!("calling/callConnections/{call}"),
        "data": {
            "callConnectionId": call, "serverCallId": "aHR0cHM6Ly9lbXVsYXRvcg",
            "correlationId": "c0a80000-0000-4000-8000-000000000000",
            "sequenceNumber": 3,
            "participants": [participant("8:acs:app".into()), participant(format!("8:acs:u{index}")),
                             participant("4:+16041234567".into())],
            "resultInformation": {"code": 200, "subCode": 0, "message": "Action completed successfully."}
        }
    })
}

fn parse(c: &mut Criterion) {
    let body = serde_json::Value::Array((0..1000).map(participants_updated).collect()).to_string();
    let single = serde_json::Value::Array(vec![participants_updated(1)]).to_string();
    let mut group = c.benchmark_group("parse_events");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("1000 ParticipantsUpdated in one body", |b| {
        b.iter(|| callsteer::parse_events(black_box(body.as_bytes())))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("one ParticipantsUpdated body", |b| {
        b.iter(|| callsteer::parse_events(black_box(single.as_bytes())))
    });
    group.finish();
}

fn processor(c: &mut Criterion) {
    let bodies: Vec<String> = (0..10_000)
        .map(|i| serde_json::Value::Array(vec![participants_updated(i)]).to_string())
        .collect();
    let mut group = c.benchmark_group("event_processor");
    group.throughput(Throughput::Elements(1));
    group.bench_function("process_events (roster update, backlog)", |b| {
        let processor = callsteer::EventProcessor::new();
        let mut i = 0usize;
        b.iter(|| {
            // Fresh ids each time: a repeated id would be dropped as a duplicate.
            let body = bodies[i % bodies.len()]
                .replace("-aaaa-", &format!("-{:04x}-", (i / bodies.len()) % 0xffff));
            i += 1;
            processor.process_events(black_box(body.as_bytes()))
        })
    });
    group.finish();
}

criterion_group!(benches, parse, processor);
criterion_main!(benches);
