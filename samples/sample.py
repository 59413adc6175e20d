"""A small file to complete in."""


def fibonacci(n: int) -> int:
    if n < 2:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def main() -> None:
    for i in range(10):
        print(i, fibonacci(i))


if __name__ == "__main__":
    main()
