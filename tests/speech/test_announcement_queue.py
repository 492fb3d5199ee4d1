"""AnnouncementQueue: strict id order, no loss, no duplicates, bounded history."""

import random
import threading

import pytest

from signage.speech.announcer import Announcement, AnnouncementQueue


def make(i: int, **kw) -> Announcement:
    return Announcement(id=i, text=f"panggilan {i}", audio_url=f"/audio/cache/{i}.wav", **kw)


def test_concurrent_enqueue_keeps_order_without_loss_or_duplicates():
    queue = AnnouncementQueue(history=1000)
    ids = list(range(1, 251))
    random.Random(7).shuffle(ids)
    # 5 threads x 50, each also re-sending some ids another thread owns.
    slices = [ids[k::5] for k in range(5)]
    barrier = threading.Barrier(5)
    accepted = []

    def producer(mine, others):
        barrier.wait()
        for i in mine:
            accepted.append(queue.enqueue(make(i)))
            if i % 7 == 0:
                queue.enqueue(make(others[i % len(others)]))

    threads = [threading.Thread(target=producer, args=(slices[k], slices[(k + 1) % 5])) for k in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = [a.id for a in queue.pending()]
    assert got == list(range(1, 251))
    assert len(queue) == 250
    assert queue.last_id == 250


def test_same_id_twice_is_a_no_op():
    queue = AnnouncementQueue()
    assert queue.enqueue(make(1)) is True
    assert queue.enqueue(Announcement(id=1, text="lain", audio_url=None)) is False
    assert [a.text for a in queue.pending()] == ["panggilan 1"]


def test_late_lower_id_is_placed_in_order():
    queue = AnnouncementQueue()
    for i in (1, 2, 4, 5):
        queue.enqueue(make(i))
    queue.enqueue(make(3))
    assert [a.id for a in queue.pending()] == [1, 2, 3, 4, 5]
    assert [a.id for a in queue.pending(after_id=3)] == [4, 5]
    assert queue.pending(after_id=5) == []


def test_played_by_displays():
    queue = AnnouncementQueue()
    queue.enqueue(make(1))
    assert queue.mark_played(1, "display-a") and queue.mark_played(1, "display-b")
    assert queue.mark_played(1, "display-a")
    assert queue.played_by(1) == {"display-a", "display-b"}
    assert queue.mark_played(99, "display-a") is False
    assert queue.played_by(99) == set()
    queue.played_by(1).add("tamper")
    assert queue.played_by(1) == {"display-a", "display-b"}


def test_history_is_bounded_and_forgotten_ids_do_not_come_back():
    queue = AnnouncementQueue(history=500)
    for i in range(1, 601):
        queue.enqueue(make(i))
    assert len(queue) == 500
    assert queue.pending()[0].id == 101
    assert queue.enqueue(make(50)) is False  # replaying an old id would announce it again
    assert queue.pending()[0].id == 101
    assert queue.enqueue(make(601)) is True


def test_announcement_fields():
    a = make(3, counter_id=2, ticket="A012", repeat=2)
    data = a.to_dict()
    assert data["id"] == 3 and data["repeat"] == 2 and data["ticket"] == "A012"
    assert isinstance(data["created_at"], float)
    with pytest.raises(ValueError):
        make(4, repeat=3)
    with pytest.raises(ValueError):
        make(0)
