package dev.loginpipe.consumer;

/** The loop's time: the system's in production, a virtual one in the simulation (whose back-offs take no time). */
interface LoopClock {
    long nanoTime();

    void sleep(long millis) throws InterruptedException;

    LoopClock SYSTEM = new LoopClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };
}
