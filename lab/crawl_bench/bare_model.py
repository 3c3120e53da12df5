"""The bare model's embedding rate: what bench_crawl's workers are compared with."""

import time

from django.conf import settings


def bare_embedding_rates(texts: list[str], workers: int) -> dict:
    """Texts/s of the model alone on these texts: with the threads one worker
    process has, then with all the workers' threads in one process."""
    import torch

    from trends.stories.embedding import embed_texts, get_model

    get_model()
    threads = settings.TORCH_THREADS
    batch = settings.EMBEDDING_BATCH_SIZE
    rates = {"threads": threads, "all_threads": threads * workers, "batch_size": batch}
    for key, count in (("per_second", threads), ("all_threads_per_second", threads * workers)):
        torch.set_num_threads(count)
        embed_texts(texts[:batch])  # warm-up
        started, cpu_started = time.perf_counter(), time.process_time()
        embed_texts(texts)
        rates[key] = round(len(texts) / (time.perf_counter() - started), 2)
        if key == "per_second":
            rates["cpu_ms_per_text"] = round(1000 * (time.process_time() - cpu_started) / len(texts), 2)
    torch.set_num_threads(threads)
    return rates
