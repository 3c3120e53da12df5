"""The bare model's embedding rate: what bench_crawl's workers are compared with."""

import time

from django.conf import settings


def bare_embedding_rates(texts: list[str], workers: int) -> dict:
    """Texts/s of the model alone on these texts: with the threads one worker
    process has, then with all the workers' threads in one process."""
    import torch

    threads = settings.TORCH_THREADS
    rates = {"threads": threads, "all_threads": threads * workers}
    rates["batch_size"] = settings.EMBEDDING_BATCH_SIZE
    rates["per_second"], rates["cpu_ms_per_text"] = bare_rate(texts)
    torch.set_num_threads(threads * workers)
    rates["all_threads_per_second"], _ = bare_rate(texts)
    torch.set_num_threads(threads)
    return rates


def bare_rate(texts: list[str]) -> tuple[float, float]:
    """(texts/s, CPU ms a text) of the model on these texts in one call of the
    workers' embed_texts (all of them sorted by tokens, so less padding than a
    worker's claims get), with the threads torch has now, after a warm-up pass
    over the same texts: the first pass after loading runs about 10% slower
    than the next (54 against 59-62 texts/s on the bench's texts), and the
    workers it is compared with have been embedding for a while."""
    from trends.stories.embedding import embed_texts, get_model

    get_model()
    embed_texts(texts)
    started, cpu_started = time.perf_counter(), time.process_time()
    embed_texts(texts)
    per_second = round(len(texts) / (time.perf_counter() - started), 2)
    return per_second, round(1000 * (time.process_time() - cpu_started) / len(texts), 2)
