/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small program to trace: recursion, a helper called from two threads,
 * and a string function. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) int square(int x)
{
	return x * x;
}

__attribute__((noinline)) int fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) size_t shout(char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 'a' + 'A');
	return n;
}

static void *worker(void *arg)
{
	int i, n = *(int *)arg, sum = 0;

	for (i = 1; i <= n; i++)
		sum += square(i);
	return (void *)(long)sum;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	char msg[] = "hello, calltrap";
	pthread_t t;
	void *sum;

	if (pthread_create(&t, NULL, worker, &n) != 0)
		return 1;
	printf("fib(%d) = %d\n", n + 2, fib(n + 2));
	pthread_join(t, &sum);
	printf("sum of squares 1..%d = %ld\n", n, (long)sum);
	printf("%s (%zu chars)\n", msg, shout(msg));
	return 0;
}
