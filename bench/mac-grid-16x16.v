// bench:harness control (c) for the MAC grid: the same 16x16 grid as hwflow's macGrid(16, 16) (same
// ports, same cycle behaviour, same outputs: the bench checks the checksum), written by hand the way an
// RTL engineer would (generate loops, signed regs, a plain for-loop adder), so the hand loop on it shows
// what Verilator makes of this design at best, whoever writes the Verilog.
module mac_grid_16x16_p16(
  input clk, input rst,
  input act_valid, output act_ready, input [63:0] act_data,
  input wgt_valid, output wgt_ready, input [63:0] wgt_data,
  output out_valid, input out_ready, output [31:0] out_data);
  localparam N = 16;
  reg full; reg [31:0] out_q; reg [3:0] count;
  wire can = !full || out_ready;
  wire fire = act_valid && wgt_valid && can;
  assign act_ready = can && wgt_valid;
  assign wgt_ready = can && act_valid;
  wire signed [3:0] a [0:N*N-1];
  wire signed [3:0] w [0:N*N-1];
  wire signed [19:0] acc [0:N*N-1];
  genvar r, c;
  generate for (r = 0; r < N; r = r + 1) begin : row
    for (c = 0; c < N; c = c + 1) begin : col
      reg signed [3:0] ar, wr; reg signed [19:0] accr;
      always @(posedge clk)
        if (rst) begin ar <= 0; wr <= 0; accr <= 0; end
        else if (fire) begin
          ar <= (c == 0) ? act_data[4*r +: 4] : a[r*N+c-1];
          wr <= (r == 0) ? wgt_data[4*c +: 4] : w[(r-1)*N+c];
          accr <= accr + ar * wr;
        end
      assign a[r*N+c] = ar; assign w[r*N+c] = wr; assign acc[r*N+c] = accr;
    end
  end endgenerate
  integer k;
  reg signed [31:0] total;
  always @* begin
    total = 0;
    for (k = 0; k < N*N; k = k + 1) total = total + acc[k];
  end
  always @(posedge clk)
    if (rst) begin full <= 0; out_q <= 0; count <= 0; end
    else begin
      if (fire) count <= count + 1;
      if (fire && count == 15) begin full <= 1; out_q <= total; end
      else if (out_ready) full <= 0;
    end
  assign out_valid = full;
  assign out_data = out_q;
endmodule
