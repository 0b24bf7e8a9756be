module example.com/otsdouble

go 1.19
